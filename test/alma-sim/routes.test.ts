// Every simulated route must be one of Ex Libris' documented operations, with the parameters documented there
// (as distilled from the OpenAPI into test/openapi/alma-openapi-facts.json by scripts/extract-openapi-facts.ts).
import { simulatedRoutes } from '../../src/alma-sim';
import facts from '../openapi/alma-openapi-facts.json';
import { almaErrorOf, useSimulator } from './helpers';

const declared = facts.paths as Record<string, Record<string, string[]>>;

describe('the simulated routes', () => {
  const t = useSimulator();

  it.each(simulatedRoutes.filter((r) => !r.redirect).map((r) => [r.method, r.path, r.query] as const))(
    '%s %s is in the OpenAPI with exactly its query parameters',
    (method, template, query) => {
      const params = declared[template]?.[method];
      expect(params).toBeDefined();
      expect([...query].sort()).toEqual([...(params ?? [])].sort());
    },
  );

  it('serves one route outside the OpenAPI: the documented barcode redirect', () => {
    expect(simulatedRoutes.filter((r) => r.redirect)).toEqual([
      { method: 'GET', path: '/almaws/v1/items', query: ['item_barcode', 'view', 'expand', 'user_id'], redirect: true },
    ]);
  });

  it.each(simulatedRoutes.map((r) => [r.method, r.path] as const))('mounts %s %s', async (method, template) => {
    const url = template.replace('/almaws/v1', '').replace(/\{\w+\}/g, 'x');
    const res = await t.alma.request({ method, url, data: method === 'GET' || method === 'DELETE' ? undefined : {} });
    expect(res.status).not.toBe(404);
    if (res.status >= 400) expect(almaErrorOf(res).errorCode).not.toBe('SIM_NO_ROUTE');
  });

  it('answers 404 SIM_NO_ROUTE for an Alma path it does not simulate', async () => {
    const res = await t.alma.get('/users/rivera.ana/deposits');
    expect(res.status).toBe(404);
    expect(almaErrorOf(res).errorCode).toBe('SIM_NO_ROUTE');
  });

  it('refuses a query parameter the OpenAPI does not declare for the operation', async () => {
    const res = await t.alma.get('/users/rivera.ana/loans', { params: { status: 'active' } });
    expect(res.status).toBe(400);
    const error = almaErrorOf(res);
    expect(error.errorCode).toBe('SIM_UNDECLARED_PARAMETER');
    expect(error.errorMessage).toMatch(/status/);
  });

  it('refuses a declared parameter with a value Alma does not accept', async () => {
    const res = await t.alma.get('/users/rivera.ana/loans', { params: { loan_status: 'Lost' } });
    expect(res.status).toBe(400);
    expect(almaErrorOf(res).errorCode).toBe('401666');
  });
});
