// The express application: /_sim admin controls, then the /almaws/v1 pipeline and routes.
import express, { type Express } from 'express';
import type { SimCore } from './core';
import { apiArrival, apiErrorHandler, apiGate, mountRoute, noRoute } from './pipeline';
import { adminRouter } from './routes/admin';
import { apiRoutes } from './routes';

export function createApp(core: SimCore, log: (line: string) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use('/_sim', adminRouter(core));

  // Every call is logged on arrival, even one with an unreadable body; the body is read before the gate's waits
  // (latency, delay rules), so a call whose caller hangs up during a wait still runs.
  app.use('/almaws/v1', apiArrival(core));
  app.use('/almaws/v1', express.text({ type: () => true, limit: '5mb' }));
  app.use('/almaws/v1', apiGate(core));
  const api = express.Router();
  for (const route of apiRoutes) mountRoute(api, core, route);
  app.use(api);
  app.use('/almaws/v1', noRoute);
  app.use('/almaws/v1', apiErrorHandler(log));
  return app;
}
