import {
  ALMA_REGION_HOSTS,
  AlmaClient,
  almaBaseUrlForRegion,
  almaBaseUrlFromEnv,
  baseUrlFor,
  normaliseBaseUrl,
} from '../../src/alma';
import { declaredServers } from '../support/openapi-contract';

describe('region → base URL', () => {
  it.each([
    ['na', 'https://api-na.hosted.exlibrisgroup.com'],
    ['eu', 'https://api-eu.hosted.exlibrisgroup.com'],
    ['ap', 'https://api-ap.hosted.exlibrisgroup.com'],
    ['aps', 'https://api-aps.hosted.exlibrisgroup.com'],
    ['ca', 'https://api-ca.hosted.exlibrisgroup.com'],
    ['cn', 'https://api-cn.hosted.exlibrisgroup.com.cn'],
    [' EU ', 'https://api-eu.hosted.exlibrisgroup.com'],
  ])('%s → %s', (region, url) => {
    expect(almaBaseUrlForRegion(region)).toBe(url);
    expect(almaBaseUrlFromEnv({ ALMA_REGION: region })).toBe(url);
  });

  it('the hosts are exactly the OpenAPI servers', () => {
    expect(Object.values(ALMA_REGION_HOSTS).sort()).toEqual([...declaredServers].sort());
  });

  it('ALMA_BASE_URL wins over ALMA_REGION and loses a trailing /almaws/v1 or slash', () => {
    expect(almaBaseUrlFromEnv({ ALMA_BASE_URL: 'http://127.0.0.1:4321/', ALMA_REGION: 'eu' })).toBe(
      'http://127.0.0.1:4321',
    );
    expect(almaBaseUrlFromEnv({ ALMA_BASE_URL: 'https://api-na.hosted.exlibrisgroup.com/almaws/v1/' })).toBe(
      'https://api-na.hosted.exlibrisgroup.com',
    );
    expect(baseUrlFor({ baseUrl: '', region: 'ca' })).toBe('https://api-ca.hosted.exlibrisgroup.com');
    expect(normaliseBaseUrl('http://sim.local:8080/prefix/')).toBe('http://sim.local:8080/prefix');
  });

  it('refuses an unknown region, a missing setting and a non-http URL', () => {
    expect(() => almaBaseUrlForRegion('us')).toThrow(/Unknown Alma region "us"/);
    expect(() => almaBaseUrlFromEnv({})).toThrow(/ALMA_BASE_URL.*ALMA_REGION/);
    expect(() => normaliseBaseUrl('ftp://x')).toThrow(/http/);
  });

  it('the client adds /almaws/v1 itself', () => {
    const client = new AlmaClient({ baseUrl: 'https://api-eu.hosted.exlibrisgroup.com/almaws/v1', apiKey: 'k' });
    expect(client.baseUrl).toBe('https://api-eu.hosted.exlibrisgroup.com');
    client.close();
  });
});
