import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { CodecKeyRing, EncryptionCodec, startCodecServer, type CodecServer } from '../../src/codec';

const UI = 'http://127.0.0.1:8233';
const keys = CodecKeyRing.parse(`k1:${randomBytes(32).toString('base64')}`);
const codec = new EncryptionCodec(keys);

// The remote codec protocol's JSON form of a Payload: base64 metadata values and data.
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});

describe('the codec server', () => {
  let server: CodecServer;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startCodecServer({ codec, allowedOrigins: [UI, 'http://localhost:8233'], log: () => undefined });
  });
  afterAll(() => server.close());

  it('decodes what the worker encrypted, as the Web UI asks for it', async () => {
    const payload = defaultPayloadConverter.toPayload({ holdingEmail: 'relink-holding@library.example.edu' })!;
    const [encrypted] = await codec.encode([payload]);
    const res = await post('/decode', { payloads: [toJson(encrypted!)] }, { Origin: UI });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    const body = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(defaultPayloadConverter.fromPayload(fromJson(body.payloads[0]!))).toEqual({
      holdingEmail: 'relink-holding@library.example.edu',
    });
  });

  it('encodes, so what the UI sends (a signal, a query argument) reaches the worker encrypted', async () => {
    const payload = defaultPayloadConverter.toPayload('proceed')!;
    const res = await post('/encode', { payloads: [toJson(payload)] });
    const body = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    const encoded = fromJson(body.payloads[0]!);
    expect(Buffer.from(encoded.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(defaultPayloadConverter.fromPayload((await codec.decode([encoded]))[0]!)).toBe('proceed');
  });

  it('answers under any path prefix (only the last segment counts) and passes clear payloads through', async () => {
    const clear = toJson(defaultPayloadConverter.toPayload(42)!);
    const res = await post('/temporal/codec/decode', { payloads: [clear] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ payloads: [clear] });
  });

  it('answers a CORS preflight from the Web UI, allowing X-Namespace', async () => {
    const res = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:8233',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')!.toLowerCase()).toContain('x-namespace');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('refuses any other browser origin, preflight and request alike', async () => {
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const res = await post('/decode', { payloads: [] }, { Origin: 'https://evil.example.com' });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('says what is wrong with a bad body, and what key is unknown, without a stack trace', async () => {
    expect((await post('/decode', '{not json')).status).toBe(400);
    const wrongShape = await post('/decode', { payload: [] });
    expect(wrongShape.status).toBe(400);
    expect(((await wrongShape.json()) as { error: string }).error).toMatch(/expected \{"payloads"/);

    const other = new EncryptionCodec(CodecKeyRing.parse(`k9:${randomBytes(32).toString('base64')}`));
    const [foreign] = await other.encode([defaultPayloadConverter.toPayload('x')!]);
    const res = await post('/decode', { payloads: [toJson(foreign!)] });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    expect(error).toMatch(/key "k9", which this process does not know/);
    expect(error).not.toMatch(/\n\s+at /);
  });

  it('has a health endpoint for the container health check', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
