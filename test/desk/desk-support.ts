// A desk on the test's harness: the real app (src/desk/app.ts) on a free loopback port, signing staff in by the
// proxy header, with the simulated library's relink settings. Every HTML page any test fetched is kept, to check
// that none carries a patron's email or phone.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadSettings } from '../../src/config';
import { createDeskApp, type DeskOptions } from '../../src/desk/app';
import type { DeskAuth } from '../../src/desk/auth';
import type { StaffAction } from '../../src/desk/staff-log';
import { relinkCommandEnv } from '../../src/dev/relink-input';
import type { RelinkHarness } from '../support/relink-harness';

export interface TestDesk {
  url: string;
  actions: StaffAction[];
  close(): Promise<void>;
}

export async function startTestDesk(
  h: RelinkHarness,
  auth: DeskAuth,
  {
    startsPerMinute,
    timeZone,
    batchMax,
    findPageSize,
    ...more
  }: { startsPerMinute?: number; timeZone?: string; batchMax?: number; findPageSize?: number } & Partial<
    Pick<DeskOptions, 'sessionKeys' | 'secureCookies' | 'sessions'>
  > = {},
): Promise<TestDesk> {
  const { relink } = loadSettings(['relink'], relinkCommandEnv(), { dotenv: false });
  const actions: StaffAction[] = [];
  const app = createDeskApp({
    relinks: h.relinks,
    relink,
    auth,
    sessionKeys: ['a test session key of at least thirty-two characters'],
    log: (a) => actions.push(a),
    ...(startsPerMinute ? { startsPerMinute } : {}),
    ...(timeZone ? { timeZone } : {}),
    ...(batchMax ? { batchMax } : {}),
    ...more,
    ...(findPageSize ? { findPageSize } : {}),
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    actions,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const PROXY_USER = 'circ.desk';
export const loopbackProxy: DeskAuth = { kind: 'proxy', header: 'X-Remote-User', trustedProxies: ['loopback'] };

export interface DeskAnswer {
  status: number;
  location?: string;
  html: string;
  setCookie: string[];
}

/**
 * A browser's part in plain HTTP: keeps the session cookie, sends the given headers (the proxy's name header), and
 * reads a page's CSRF token, so a test posts the desk's forms as staff would.
 */
export class DeskClient {
  private readonly cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async request(
    path: string,
    form?: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<DeskAnswer> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        ...this.headers,
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    const setCookie = res.headers.getSetCookie();
    for (const cookie of setCookie) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, ...(location ? { location } : {}), html: await res.text(), setCookie };
  }

  /** The session cookie as the browser sends it (a copy replays it elsewhere). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Takes over another client's cookies, as a copied cookie would be replayed. */
  copyCookies(from: DeskClient): void {
    for (const pair of from.cookieHeader().split('; ')) {
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }

  /** The CSRF token of the session (any form of `page` carries it). */
  async token(page = '/start'): Promise<string> {
    const { html } = await this.request(page);
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error(`${page} has no form with a token`);
    return token;
  }
}
