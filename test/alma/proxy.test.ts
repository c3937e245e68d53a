// A campus proxy between the worker and Alma: HTTPS_PROXY (HTTP_PROXY for an http base URL) and NO_PROXY, read
// from the environment as curl reads them. The simulator speaks http, so the forwarding path is run end to end;
// for Alma's https the proxy must be asked to tunnel (CONNECT), so it never sees the API key.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlmaClient, isAlmaError } from '../../src/alma';
import { startAlmaSimulator, type AlmaSimulator } from '../../src/alma-sim';
import { fixturesWith, patron } from '../../src/alma-sim/builders';

/** A small forwarding proxy on loopback that notes each request line; CONNECT is noted and refused. */
async function startProxy() {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, socket) => {
    seen.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY'];

describe('Alma through a campus proxy', () => {
  let sim: AlmaSimulator;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const saved = Object.fromEntries(PROXY_VARS.map((v) => [v, process.env[v]]));
  const clients: AlmaClient[] = [];
  /** A client made with these proxy variables in the environment (it reads them when made). */
  const clientWith = (env: Record<string, string>, baseUrl = sim.url) => {
    for (const v of PROXY_VARS) delete process.env[v];
    Object.assign(process.env, env);
    try {
      const client = new AlmaClient({ baseUrl, apiKey: sim.apiKey, getRetries: 0 });
      clients.push(client);
      return client;
    } finally {
      for (const v of PROXY_VARS) delete process.env[v];
    }
  };

  beforeAll(async () => {
    sim = await startAlmaSimulator({ fixtures: fixturesWith({ users: [patron('proxy.one')] }), port: 0 });
    proxy = await startProxy();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const [v, value] of Object.entries(saved)) if (value !== undefined) process.env[v] = value;
    await proxy?.close();
    await sim?.close();
  });

  it('sends every call through HTTP_PROXY for an http base URL', async () => {
    const client = clientWith({ HTTP_PROXY: proxy.url });
    expect((await client.getUser('proxy.one')).primary_id).toBe('proxy.one');
    expect(proxy.seen).toContain(`GET ${sim.url}/almaws/v1/users/proxy.one?view=full`);
  });

  it('goes direct to a host NO_PROXY names', async () => {
    const before = proxy.seen.length;
    const client = clientWith({ HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' });
    expect((await client.getUser('proxy.one')).primary_id).toBe('proxy.one');
    expect(proxy.seen.length).toBe(before);
  });

  it("asks HTTPS_PROXY to tunnel to Alma's https host, so the key is never in the clear at the proxy", async () => {
    const client = clientWith({ HTTPS_PROXY: proxy.url }, 'https://api-eu.hosted.exlibrisgroup.com');
    const err = await client.getUser('proxy.one').catch((e: unknown) => e);
    expect(isAlmaError(err)).toBe(true);
    expect(proxy.seen).toContain('CONNECT api-eu.hosted.exlibrisgroup.com:443');
    expect(proxy.seen.join('\n')).not.toContain(sim.apiKey);
  });
});
