// Shared by the simulator tests: one simulator per test file, an axios client that never throws on a status,
// and builders for fixtures in Alma's shapes (each test resets the simulator to its own state).
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { XMLParser } from 'fast-xml-parser';
import { startAlmaSimulator, type AlmaSimulator, type Fixtures } from '../../src/alma-sim';
import { exampleFixtures, fixturesWith } from '../support/fixtures';

export type Any = any;

export const example = (): Any => exampleFixtures();

/** The example fixtures plus extra records. */
export const withExample = fixturesWith;

export function patron(id: string, extra: Any = {}): Any {
  return {
    record_type: { value: 'PUBLIC', desc: 'Public' },
    primary_id: id,
    first_name: 'Pat',
    last_name: id,
    account_type: { value: 'INTERNAL', desc: 'Internal' },
    status: { value: 'ACTIVE', desc: 'Active' },
    password: '',
    contact_info: {
      address: [],
      email: [
        {
          email_address: `${id}@example.edu`,
          description: null,
          preferred: true,
          segment_type: 'Internal',
          email_type: [{ value: 'personal', desc: 'Personal' }],
        },
      ],
      phone: [],
    },
    user_note: [],
    user_block: [],
    ...extra,
  };
}

/** An item in place at MAIN unless told otherwise; ids derive from the barcode. */
export function shelfItem(barcode: string, opts: { library?: string; processType?: string } = {}): Any {
  const n = barcode.slice(-8);
  const process = opts.processType ?? '';
  return {
    bib_data: { mms_id: `99${n}0101`, title: `Title ${barcode}`, author: 'Author, A.' },
    holding_data: { holding_id: `22${n}0101`, call_number: `QA ${n}` },
    item_data: {
      pid: `23${n}0101`,
      barcode,
      base_status: process ? { value: '0', desc: 'Item not in place' } : { value: '1', desc: 'Item in place' },
      process_type: { value: process, desc: process || null },
      library: { value: opts.library ?? 'MAIN', desc: opts.library ?? 'Main Library' },
      location: { value: 'STACKS', desc: 'Main Stacks' },
      policy: { value: 'REGULAR', desc: 'Regular loan' },
      requested: false,
    },
  };
}

export function hold(requestId: string, userId: string, item: Any, place: number, extra: Any = {}): Any {
  return {
    request_id: requestId,
    user_primary_id: userId,
    request_type: 'HOLD',
    request_sub_type: { value: 'PATRON_PHYSICAL', desc: 'Patron physical item request' },
    request_status: 'NOT_STARTED',
    place_in_queue: place,
    mms_id: item.bib_data.mms_id,
    item_id: item.item_data.pid,
    barcode: item.item_data.barcode,
    pickup_location_type: 'LIBRARY',
    pickup_location_library: 'MAIN',
    request_date: '2026-11-01Z',
    ...extra,
  };
}

export function activeLoan(loanId: string, userId: string, item: Any, extra: Any = {}): Any {
  return {
    loan_id: loanId,
    user_id: userId,
    item_barcode: item.item_data.barcode,
    item_id: item.item_data.pid,
    mms_id: item.bib_data.mms_id,
    holding_id: item.holding_data.holding_id,
    title: item.bib_data.title,
    loan_status: 'ACTIVE',
    process_status: 'NORMAL',
    loan_date: '2026-11-01T10:00:00Z',
    due_date: '2026-11-29T22:59:00Z',
    library: { value: 'MAIN', desc: 'Main Library' },
    circ_desk: { value: 'DEFAULT_CIRC_DESK', desc: 'Default Circulation Desk' },
    ...extra,
  };
}

/** The item's full API path. */
export function itemPath(item: Any): string {
  return `/bibs/${item.bib_data.mms_id}/holdings/${item.holding_data.holding_id}/items/${item.item_data.pid}`;
}

export const DESK = { library: { value: 'MAIN' }, circ_desk: { value: 'DEFAULT_CIRC_DESK' } };
export const SCAN_AT_MAIN = 'op=scan&library=MAIN&circ_desk=DEFAULT_CIRC_DESK&register_in_house_use=false';

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

/** Starts one simulator for the file and resets it before each test (to the example fixtures by default). */
export function useSimulator(fixtures: () => Fixtures = example): SimTestContext {
  const ctx = {} as SimTestContext;
  beforeAll(async () => {
    ctx.sim = await startAlmaSimulator({ port: 0 });
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
