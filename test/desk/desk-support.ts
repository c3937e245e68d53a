// A desk on the test's harness: the real app (src/desk/app.ts) on a free loopback port, signing staff in by the
// proxy header, with the simulated library's relink settings. Every HTML page any test fetched is kept, to check
// that none carries a patron's email or phone.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadSettings } from '../../src/config';
import { createDeskApp } from '../../src/desk/app';
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
  { startsPerMinute }: { startsPerMinute?: number } = {},
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
