// The desk of the generated chaos: the real desk app (src/desk/app.ts) in this process on a loopback port, one per
// relink setting (Lost mode, quiet period), with staff signed in by a trusted proxy's header. A start goes through
// its form exactly as staff send it: the page, its CSRF token and session cookie, then the POST.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSettings } from '../../src/config';
import { createDeskApp } from '../../src/desk/app';
import { relinkCommandEnv } from '../../src/dev/relink-input';
import type { ChaosLab } from '../lab';

const STAFF = 'chaos.desk';

export class ChaosDesks {
  private readonly desks = new Map<string, { url: string; server: Server }>();

  constructor(private readonly lab: ChaosLab) {}

  private async deskFor(env: Record<string, string>): Promise<string> {
    const key = JSON.stringify(env);
    const open = this.desks.get(key);
    if (open) return open.url;
    const { relink } = loadSettings(['relink'], { ...relinkCommandEnv(), ...env }, { dotenv: false });
    const app = createDeskApp({
      relinks: this.lab.relinks,
      relink,
      auth: { kind: 'proxy', header: 'X-Remote-User', trustedProxies: ['loopback'] },
      sessionKeys: ['the chaos desk session key, at least thirty-two characters'],
      log: () => undefined,
      // Starts come from one staff member in quick succession; the limit is not what is tested here.
      startsPerMinute: 1_000,
    });
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.desks.set(key, { url, server });
    return url;
  }

  /** Staff start (or join) a relink on the desk's form; its answer page's status and flash, in short. */
  async start(patronId: string, barcodes: string[], env: Record<string, string>): Promise<string> {
    const url = await this.deskFor(env);
    const headers = { 'X-Remote-User': STAFF };
    const page = await fetch(`${url}/start`, { headers });
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    if (!token) throw new Error(`the desk's start page (${page.status}) has no CSRF token`);
    const res = await fetch(`${url}/start`, {
      method: 'POST',
      headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ patron: patronId, barcodes: barcodes.join('\n'), _csrf: token }),
      redirect: 'manual',
    });
    if (res.status === 303) return `desk: ${res.headers.get('location') ?? ''}`;
    const text = await res.text();
    const problem = /class="[^"]*(error|problem)[^"]*"[^>]*>([^<]+)</.exec(text)?.[2]?.trim();
    return `desk refused (${res.status})${problem ? `: ${problem}` : ''}`;
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.desks.values()].map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    this.desks.clear();
  }
}
