import axios from 'axios';
import { almaClient, almaErrorOf, useSimulator, xmlErrorOf } from './helpers';

describe('the API key', () => {
  const t = useSimulator();
  const UNAUTHORIZED = {
    errorCode: 'UNAUTHORIZED',
    errorMessage: 'API-key not defined or not configured to allow this API.',
  };

  it('is required: a call without one gets 400 UNAUTHORIZED as JSON when JSON was asked', async () => {
    const res = await axios.get(`${t.sim.apiBase}/users/rivera.ana`, {
      headers: { Accept: 'application/json' },
      validateStatus: () => true,
    });
    expect(res.status).toBe(400);
    const error = almaErrorOf(res);
    expect(error).toMatchObject(UNAUTHORIZED);
    expect(error.trackingId).toMatch(/^E01-\d{10}-[0-9A-Z]{5}-AWAE\d{10}$/);
  });

  it('must be the right one: a wrong key gets the XML web_service_result when XML was asked', async () => {
    const res = await almaClient(t.sim, { Authorization: 'apikey not-the-key', Accept: 'application/xml' }).get(
      '/users/rivera.ana',
    );
    expect(res.status).toBe(400);
    expect(xmlErrorOf(res)).toMatchObject(UNAUTHORIZED);
  });

  it('answers XML when nothing says JSON (Alma default), and JSON for format=json', async () => {
    const bare = axios.create({ baseURL: t.sim.apiBase, validateStatus: () => true, headers: { Accept: '*/*' } });
    expect(xmlErrorOf(await bare.get('/users/rivera.ana'))).toMatchObject(UNAUTHORIZED);
    expect(almaErrorOf(await bare.get('/users/rivera.ana?format=json'))).toMatchObject(UNAUTHORIZED);
  });

  it('is accepted as the apikey query parameter, which the call log masks', async () => {
    const res = await axios.get(`${t.sim.apiBase}/users/rivera.ana`, {
      params: { apikey: t.sim.apiKey },
      headers: { Accept: 'application/json' },
      validateStatus: () => true,
    });
    expect(res.status).toBe(200);
    const [call] = t.sim.calls();
    expect(call?.path).toBe('/almaws/v1/users/rivera.ana?apikey=***');
    expect(JSON.stringify(t.sim.calls())).not.toContain(t.sim.apiKey);
  });

  it('gives different tracking ids to different errors', async () => {
    const a = almaErrorOf(await t.alma.get('/users/nobody'));
    const b = almaErrorOf(await t.alma.get('/users/nobody'));
    expect(a.trackingId).not.toBe(b.trackingId);
  });

  it('is not needed for the /_sim admin routes, which stay out of the call log', async () => {
    const res = await axios.get(`${t.sim.url}/_sim/state`);
    expect(res.status).toBe(200);
    expect(t.sim.calls()).toEqual([]);
  });
});

describe('every API answer', () => {
  const t = useSimulator();

  it('carries X-Exl-Api-Remaining, one less per call', async () => {
    const first = Number((await t.alma.get('/users/rivera.ana')).headers['x-exl-api-remaining']);
    const second = Number((await t.alma.get('/users/nobody')).headers['x-exl-api-remaining']);
    expect(first).toBe(999_999);
    expect(second).toBe(first - 1);
  });

  it('is JSON only for successes: a call asking for XML gets 406 SIM_JSON_ONLY and changes nothing', async () => {
    const before = t.sim.state();
    const res = await almaClient(t.sim, { Accept: 'application/xml' }).post(
      '/users/rivera.ana/loans?item_barcode=39000000001',
      {},
    );
    expect(res.status).toBe(406);
    expect(xmlErrorOf(res).errorCode).toBe('SIM_JSON_ONLY');
    expect(t.sim.state()).toEqual(before);
  });
});
