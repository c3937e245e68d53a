// The Configuration API's organization units that `relink doctor` reads (the libraries, and each one's circulation
// desks), and the four test endpoints Alma offers for checking a key: GET and POST, in the Users and Bibs areas.
// The gateway (pipeline.ts) has already checked the key's permission for the area and method by then.
import { almaError } from '../errors';
import type { RouteDef } from './types';
import { listBody } from './util';

/** A test endpoint's answer: Alma answers a permitted call 200 with a short confirmation. */
const testRoute = (method: 'GET' | 'POST', path: string): RouteDef => ({
  method,
  path,
  query: [],
  handler: () => ({ status: 200, body: { result: `${method} request is OK` } }),
});

export const confRoutes: RouteDef[] = [
  testRoute('GET', '/almaws/v1/users/operation/test'),
  testRoute('POST', '/almaws/v1/users/operation/test'),
  testRoute('GET', '/almaws/v1/bibs/test'),
  testRoute('POST', '/almaws/v1/bibs/test'),
  {
    method: 'GET',
    path: '/almaws/v1/conf/libraries',
    query: [],
    handler(req, { store }) {
      const libraries = store.libraries.map((l) => ({
        code: l.code,
        name: l.name,
        link: `${req.baseUrl}/almaws/v1/conf/libraries/${l.code}`,
      }));
      return { status: 200, body: { library: libraries } };
    },
  },
  {
    method: 'GET',
    path: '/almaws/v1/conf/libraries/{libraryCode}/circ-desks',
    query: [],
    handler(req, { store }) {
      const code = req.params.libraryCode ?? '';
      if (!store.library(code)) throw almaError('402334', `Library code ${code} is not valid.`);
      const desks = store.desks(code).map((d) => ({
        code: d.code,
        name: d.name,
        link: `${req.baseUrl}/almaws/v1/conf/libraries/${code}/circ-desks/${d.code}`,
      }));
      return { status: 200, body: listBody('circ_desk', desks, desks.length) };
    },
  },
];
