// `npm run desk`: the relink desk for circulation staff, beside the worker (same image). It needs the Temporal and
// relink settings of `relink start`, the codec key, and a sign-in (DESK_*, see settings.ts); never the Alma API key.
import type { AddressInfo } from 'node:net';
import { connectRelinkClient } from '../client';
import { loadSettings } from '../config';
import { closeOnSignals, runMain } from '../entry-point';
import { createDeskApp } from './app';
import { MemorySessionStore } from './sessions/memory-store';
import { PgSessionStore } from './sessions/pg-store';
import { loadDeskSettings } from './settings';

runMain(async () => {
  const { temporal, relink } = loadSettings(['temporal', 'relink', 'codec']);
  const desk = loadDeskSettings();
  const { database, ...sessionLengths } = desk.sessions;
  // PostgreSQL when configured (several desk processes, sessions outliving a restart); it is opened, and its table
  // made, before the desk listens, so a database that cannot be used stops the start with the reason.
  const store = database ? await PgSessionStore.open(database) : new MemorySessionStore();
  const { relinks, close } = await connectRelinkClient(temporal);
  const app = createDeskApp({
    relinks,
    relink,
    auth: desk.auth,
    sessionKeys: desk.sessionKeys,
    sessions: { ...sessionLengths, store },
    secureCookies: desk.publicUrl?.startsWith('https:') ?? false,
    startsPerMinute: desk.startsPerMinute,
    batchMax: desk.batchMax,
    timeZone: desk.timeZone,
  });
  const server = app.listen(desk.port, desk.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  const signIn =
    desk.auth.kind === 'oidc'
      ? `OpenID Connect (${desk.auth.issuer})` +
        (desk.auth.trustedProxies ? ` behind ${desk.auth.trustedProxies.join(', ')}` : '')
      : desk.auth.kind === 'proxy'
        ? `the ${desk.auth.header} header from ${desk.auth.trustedProxies.join(', ')}`
        : 'a typed name (development on loopback only)';
  console.log(
    `Relink desk on http://${desk.host}:${port}/ (sign-in: ${signIn}; sessions in ${store.description}; ` +
      `Temporal ${temporal.TEMPORAL_ADDRESS})`,
  );
  closeOnSignals(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
    await close();
  });
});
