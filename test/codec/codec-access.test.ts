// The codec server can decrypt every patron's data, so it answers only callers the library's sign-on vouches for
// (the Web UI passes the signed-in user's access token), or callers from the configured networks. Here a real OIDC
// provider in miniature (a discovery document and a JWKS on loopback) signs tokens; a request with no token, a
// forged one, an expired one or one for another audience gets a refusal and not one decoded byte.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { CodecKeyRing, EncryptionCodec, startCodecServer, type CodecServer } from '../../src/codec';
import { codecAccess, networkListSchema } from '../../src/codec/access';

const codec = new EncryptionCodec(CodecKeyRing.parse(`k1:${randomBytes(32).toString('base64')}`));
const SECRET = { holdingEmail: 'relink-holding@library.example.edu', patronEmail: 'ana.rivera@example.org' };
const AUDIENCE = 'temporal-ui';

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

/** An OIDC provider as far as a resource server sees one: discovery, then the signing keys. */
async function startProvider(publicJwk: object) {
  const app = express();
  let issuer = '';
  app.get('/.well-known/openid-configuration', (_req, res) => {
    res.json({ issuer, jwks_uri: `${issuer}/keys` });
  });
  app.get('/keys', (_req, res) => {
    res.json({ keys: [publicJwk] });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('the codec server behind sign-on', () => {
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let server: CodecServer;
  let signingKey: CryptoKey;
  let encrypted: Payload;
  const logged: string[] = [];

  const token = (claims: { aud?: string; iss?: string; exp?: string } = {}, key: CryptoKey = signingKey) =>
    new SignJWT({ sub: 'librarian-7' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(claims.iss ?? provider.issuer)
      .setAudience(claims.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '5 minutes')
      .sign(key);

  const decode = (headers: Record<string, string> = {}) =>
    fetch(`${server.url}/codec/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
      body: JSON.stringify({ payloads: [toJson(encrypted)] }),
    });

  /** A refusal carries a reason and nothing of the payload, clear or encrypted. */
  async function expectRefused(res: Response, status: number) {
    expect(res.status).toBe(status);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: expect.any(String) });
    expect(text).not.toContain(SECRET.patronEmail);
    expect(text).not.toContain(toJson(encrypted).data.slice(0, 24));
  }

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    provider = await startProvider({ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' });
    encrypted = (await codec.encode([defaultPayloadConverter.toPayload(SECRET)!]))[0]!;
    server = await startCodecServer({
      codec,
      allowedOrigins: ['http://127.0.0.1:8080'],
      access: codecAccess({ oidcIssuer: provider.issuer, oidcAudience: AUDIENCE }),
      encode: false,
      log: (line) => logged.push(line),
    });
  });
  afterAll(async () => {
    await server?.close();
    await provider?.close();
  });

  it("decodes for a signed-in user: the token the Web UI passes, checked against the provider's keys", async () => {
    const res = await decode({ Authorization: `Bearer ${await token()}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { payloads: Array<{ data: string }> };
    expect(JSON.parse(Buffer.from(body.payloads[0]!.data, 'base64').toString())).toEqual(SECRET);
  });

  it('refuses a request with no token, asking for one', async () => {
    const res = await decode();
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    await expectRefused(res, 401);
  });

  it('refuses a forged token: the right claims, signed with a key the provider never published', async () => {
    const forger = await generateKeyPair('RS256');
    await expectRefused(await decode({ Authorization: `Bearer ${await token({}, forger.privateKey)}` }), 401);
    // An unsigned token ("alg": "none") with the same claims is no better.
    const [header, claims] = (await token()).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${claims}.`;
    expect(header).toBeTruthy();
    await expectRefused(await decode({ Authorization: `Bearer ${none}` }), 401);
    await expectRefused(await decode({ Authorization: 'Bearer not-a-token' }), 401);
  });

  it('refuses an expired token, one from another issuer and one for another audience', async () => {
    await expectRefused(await decode({ Authorization: `Bearer ${await token({ exp: '-1 minute' })}` }), 401);
    const otherIssuer = await token({ iss: 'https://login.elsewhere.example.com' });
    await expectRefused(await decode({ Authorization: `Bearer ${otherIssuer}` }), 401);
    await expectRefused(await decode({ Authorization: `Bearer ${await token({ aud: 'another-app' })}` }), 401);
  });

  it('logs a refusal without the token', async () => {
    const forged = await token({ aud: 'another-app' });
    await decode({ Authorization: `Bearer ${forged}` });
    expect(logged.some((l) => /refused POST \/codec\/decode/.test(l))).toBe(true);
    for (const line of logged) expect(line).not.toContain(forged.split('.')[2]!);
  });

  it('does not offer /encode at all, even to a signed-in user', async () => {
    const res = await fetch(`${server.url}/codec/encode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await token()}` },
      body: JSON.stringify({ payloads: [toJson(defaultPayloadConverter.toPayload('x')!)] }),
    });
    expect(res.status).toBe(404);
  });
});

describe('the codec server without sign-on: configured networks only', () => {
  let encrypted: Payload;
  beforeAll(async () => {
    encrypted = (await codec.encode([defaultPayloadConverter.toPayload(SECRET)!]))[0]!;
  });

  async function decodeVia(access: ReturnType<typeof codecAccess> | undefined, headers: Record<string, string> = {}) {
    const server = await startCodecServer({ codec, allowedOrigins: [], access, log: () => undefined });
    try {
      return await fetch(`${server.url}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ payloads: [toJson(encrypted)] }),
      });
    } finally {
      await server.close();
    }
  }

  it('answers a caller inside a configured network, and refuses one outside it', async () => {
    expect((await decodeVia(codecAccess({ allowedNetworks: ['127.0.0.0/8'] }))).status).toBe(200);
    const outside = await decodeVia(codecAccess({ allowedNetworks: ['10.20.0.0/16'] }));
    expect(outside.status).toBe(403);
    expect(await outside.text()).not.toContain(SECRET.patronEmail);
  });

  it('believes X-Forwarded-For only from a trusted proxy (loopback by default)', async () => {
    // The proxy on loopback says the browser is at 10.20.3.4: inside 10.20.0.0/16, outside 10.99.0.0/16.
    const forwarded = { 'X-Forwarded-For': '10.20.3.4' };
    expect((await decodeVia(codecAccess({ allowedNetworks: ['10.20.0.0/16'] }), forwarded)).status).toBe(200);
    expect((await decodeVia(codecAccess({ allowedNetworks: ['10.99.0.0/16'] }), forwarded)).status).toBe(403);
  });

  it('with nothing configured, answers callers on this machine only', async () => {
    expect((await decodeVia(undefined)).status).toBe(200);
    expect((await decodeVia(undefined, { 'X-Forwarded-For': '192.0.2.10' })).status).toBe(403);
  });

  it('says which network entry is malformed, at start', () => {
    expect(networkListSchema.safeParse('10.20.0.0/16, 2001:db8::/32').data).toEqual(['10.20.0.0/16', '2001:db8::/32']);
    const bad = networkListSchema.safeParse('10.20.0.0/16,10.300.0.0/8');
    expect(bad.error?.issues[0]?.message).toMatch(/"10.300.0.0\/8" is not an address or a CIDR range/);
    expect(networkListSchema.safeParse('10.0.0.0/33').success).toBe(false);
  });
});
