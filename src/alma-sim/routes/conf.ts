// The Configuration API's organization units that `relink doctor` reads (the libraries, and each one's circulation
// desks), the code tables it reads (EmailTypes, the loan process statuses), and the four test endpoints Alma offers for checking a key: GET and POST, in the Users and Bibs areas.
// The gateway (pipeline.ts) has already checked the key's permission for the area and method by then.
import { almaError } from '../errors';
import type { RouteDef } from './types';
import { listBody } from './util';
import { LOAN_PROCESS_STATUS_ROWS, LOAN_PROCESS_STATUS_TABLE } from '../vocab';

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
    path: '/almaws/v1/conf/code-tables/{codeTableName}',
    query: [],
    handler(req, core) {
      const name = req.params.codeTableName ?? '';
      const tables: Record<string, Array<{ code: string; description: string }>> = {
        EmailTypes: core.options.emailTypes.map((code) => ({ code, description: code })),
        [LOAN_PROCESS_STATUS_TABLE]: LOAN_PROCESS_STATUS_ROWS(core.options.lostProcessStatus),
      };
      const rows = tables[name];
      // Alma's answer for an unknown table is [INFERRED]: a 400 with an error, as for an unknown library.
      if (!rows) throw almaError('401652', `General Error: code table ${name} was not found.`);
      return {
        status: 200,
        body: { name, row: rows.map((r) => ({ ...r, enabled: true, default: false })) },
      };
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
