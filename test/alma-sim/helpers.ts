// Shared by the simulator tests: one simulator per test file and an axios client that never throws on a status.
// Each test resets the simulator to its own state, built with src/alma-sim/builders.ts.
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { XMLParser } from 'fast-xml-parser';
import { startAlmaSimulator, type AlmaSimulator, type AlmaSimulatorOptions, type Fixtures } from '../../src/alma-sim';
import { DESKS, exampleFixtures } from '../../src/alma-sim/builders';

export type Any = any;

/** The example fixtures, loosely typed: the tests read into them freely. */
export const example = (): Any => exampleFixtures();

/** The item's full API path. */
export function itemPath(item: Any): string {
  return `/bibs/${item.bib_data.mms_id}/holdings/${item.holding_data.holding_id}/items/${item.item_data.pid}`;
}

/** MAIN's circulation desk, as a loan body names it and as a scan-in's query does. */
export const DESK = { library: { value: 'MAIN' }, circ_desk: { value: DESKS.deskByLibrary.MAIN } };
export const SCAN_AT_MAIN = `op=scan&library=MAIN&circ_desk=${DESKS.deskByLibrary.MAIN}&register_in_house_use=false`;

export interface SimTestContext {
  sim: AlmaSimulator;
  /** JSON client with the right key; statuses never throw; redirects followed. */
  alma: AxiosInstance;
  /** Plain client for the simulator's root (admin routes). */
  root: AxiosInstance;
}

export function almaClient(sim: AlmaSimulator, headers: Record<string, string> = {}, maxRedirects = 5): AxiosInstance {
  return axios.create({
    baseURL: sim.apiBase,
    headers: { Authorization: `apikey ${sim.apiKey}`, Accept: 'application/json', ...headers },
    validateStatus: () => true,
    maxRedirects,
  });
}

/**
 * Starts one simulator for the file and resets it before each test (to the example fixtures by default). These are the
 * contract tests: the simulator runs strict, refusing a query parameter the OpenAPI does not declare.
 */
export function useSimulator(
  fixtures: () => Fixtures = example,
  options: Partial<AlmaSimulatorOptions> = {},
): SimTestContext {
  const ctx = {} as SimTestContext;
  beforeAll(async () => {
    ctx.sim = await startAlmaSimulator({ port: 0, strictParams: true, ...options });
    ctx.alma = almaClient(ctx.sim);
    ctx.root = axios.create({ baseURL: ctx.sim.url, validateStatus: () => true });
  });
  afterAll(async () => {
    await ctx.sim?.close();
  });
  beforeEach(() => ctx.sim.reset(fixtures()));
  return ctx;
}

/** The one error of an Alma JSON error body. */
export function almaErrorOf(res: AxiosResponse): { errorCode: string; errorMessage: string; trackingId: string } {
  expect(res.data).toMatchObject({ errorsExist: true, result: null });
  const errors = res.data.errorList.error;
  expect(errors).toHaveLength(1);
  return errors[0];
}

/** The one error of an Alma XML error body. */
export function xmlErrorOf(res: AxiosResponse): { errorCode: string; errorMessage: string; trackingId: string } {
  expect(String(res.headers['content-type'])).toMatch(/application\/xml/);
  const doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(String(res.data));
  expect(doc.web_service_result['@_xmlns']).toBe('http://com/exlibris/urm/general/xmlbeans');
  expect(doc.web_service_result.errorsExist).toBe('true');
  return doc.web_service_result.errorList.error;
}

export const ITEM1 = example().items[0]; // 39000000001, MISSING, no requests, closed lost loan to rivera.ana
export const ITEM2 = example().items[1]; // 39000000002, LOST_LOAN_AND_PAID, SCI
export const ITEM3 = example().items[2]; // 39000000003, MISSING, requested by lindqvist.eva
