// Typed client for the Alma REST calls the relink makes: one method per Alma operation, each naming its method,
// path, query and answer schema. Every path and query parameter it sends is declared in Ex Libris' OpenAPI
// (test/openapi checks this), except the documented /items?item_barcode= redirect shorthand. How a call is sent,
// limited, retried and checked, and how the API key is kept out of every error and log, is transport.ts.
import { inspect } from 'node:util';
import type { z } from 'zod';
import { describeIssues } from './errors';
import { ALMA_BASE_PATH } from './region';
import {
  AlmaCircDeskListSchema,
  AlmaCodeTableSchema,
  AlmaLibraryListSchema,
  type AlmaCodeTableRow,
  AlmaTestAnswerSchema,
  type AlmaOrgUnit,
  AlmaFeeListSchema,
  AlmaItemSchema,
  AlmaLoanListSchema,
  AlmaLoanSchema,
  AlmaRequestListSchema,
  AlmaRequestSchema,
  AlmaUserListSchema,
  AlmaUserSchema,
  type AlmaFee,
  type AlmaItem,
  type AlmaLoan,
  type AlmaRequest,
  type AlmaRequestCreate,
  type AlmaUser,
  type AlmaUserBrief,
} from './schemas';
import { AlmaTransport, type CallSpec } from './transport';

/** The three ids that address an item in the bibs API. */
export interface ItemRef {
  mmsId: string;
  holdingId: string;
  itemPid: string;
}

export function itemRefOf(item: AlmaItem): ItemRef {
  return { mmsId: item.bib_data.mms_id, holdingId: item.holding_data.holding_id, itemPid: item.item_data.pid };
}

/** Where a scan-in or a loan happens; `requestId` binds it to one request of the queue. */
export interface CirculationPoint {
  library: string;
  circDesk: string;
  requestId?: string;
  /** A scan-in at a desk with hold-shelf processing: place the item on the hold shelf (default: Alma's false). */
  placeOnHoldShelf?: boolean;
}

export type LoanItemSelector = { barcode: string } | { itemPid: string };

export interface CancelRequestOptions {
  /** A code of the RequestCancellationReasons table, e.g. CancelledAtPatronRequest. */
  reason: string;
  /** Alma's default is true (a cancellation letter); this client defaults to false. */
  notifyUser?: boolean;
  note?: string;
}

export type LoanStatus = 'Active' | 'Complete';
export type FeeStatus = 'ACTIVE' | 'INDISPUTE' | 'EXPORTED' | 'CLOSED';

const PAGE_LIMIT = 100; // the maximum the OpenAPI allows for limit
const MAX_PAGES = 1000;
const seg = encodeURIComponent;
const itemPath = (ref: ItemRef) => `/bibs/${seg(ref.mmsId)}/holdings/${seg(ref.holdingId)}/items/${seg(ref.itemPid)}`;
const itemPathPattern = new RegExp(`^${ALMA_BASE_PATH}/bibs/([^/]+)/holdings/([^/]+)/items/([^/]+)/?$`);

// The catalogue sits on the transport (rather than holding one) so the settings, stats and close() stay on AlmaClient
// where callers have always found them, without a forwarding getter for each.
export class AlmaClient extends AlmaTransport {
  toJSON() {
    return {
      baseUrl: this.baseUrl,
      requestsPerSecond: this.requestsPerSecond,
      dailyRemaining: this.dailyRemaining,
      stats: this.stats,
    };
  }

  [inspect.custom]() {
    return `AlmaClient ${inspect(this.toJSON())}`;
  }

  // --- Users -----------------------------------------------------------------------------------------------------

  /** The record exactly as Alma sent it (not zod's rebuilt copy), so a PUT of it returns every byte it got. */
  /** `expand`: Alma adds the active loans' count and the fees owed (`loans.value`, `fees.value`) to the same read. */
  async getUser(userId: string, expand?: ('loans' | 'fees')[]): Promise<AlmaUser> {
    const spec: CallSpec = {
      operation: 'getUser',
      method: 'GET',
      path: `/users/${seg(userId)}`,
      query: { view: 'full', ...(expand?.length ? { expand: expand.join(',') } : {}) },
    };
    return this.call(spec, AlmaUserSchema, 'as-sent');
  }

  /**
   * PUTs the whole record: Alma replaces every field and list ("swap all"), so send what getUser returned. All but the
   * roles: Alma keeps the stored roles when none are sent, and sending them back only adds a way to be refused (a
   * role that now needs a service unit or a scope it lacks).
   */
  async updateUser(userId: string, user: AlmaUser): Promise<AlmaUser> {
    const body: AlmaUser = { ...user };
    delete (body as { user_role?: unknown }).user_role;
    const spec: CallSpec = { operation: 'updateUser', method: 'PUT', path: `/users/${seg(userId)}`, body };
    const outgoing = AlmaUserSchema.safeParse(body);
    if (!outgoing.success) {
      // A partial record would delete data in Alma: refuse before sending.
      throw this.error(spec, {
        kind: 'business',
        retryable: false,
        almaMessage: `refusing to PUT an incomplete user record (${describeIssues(outgoing.error)})`,
      });
    }
    return this.call(spec, AlmaUserSchema, 'as-sent');
  }

  /**
   * GET /users?q=: Alma's brief search, e.g. `email~someone@example.org` (field, tilde, words). It answers brief
   * users (no contact details), every page of them; read a record with getUser to decide anything.
   */
  async searchUsers(q: string): Promise<AlmaUserBrief[]> {
    return this.#pages(
      { operation: 'searchUsers', method: 'GET', path: '/users', query: { q } },
      AlmaUserListSchema,
      (page) => page.user,
      (user) => user.primary_id,
    );
  }

  // --- Items -----------------------------------------------------------------------------------------------------

  /**
   * GET /items?item_barcode= answers 302 to the item's full path. The redirect is followed by hand: the target path
   * is requested on this client's own base URL (with the key), never on whatever host the Location names.
   */
  async getItemByBarcode(barcode: string): Promise<AlmaItem> {
    const spec: CallSpec = {
      operation: 'getItemByBarcode',
      method: 'GET',
      path: '/items',
      query: { item_barcode: barcode },
    };
    const found = await this.request(spec, (res): { ref: ItemRef } | { item: AlmaItem } => {
      if (res.status >= 300 && res.status < 400) return { ref: this.#refFromLocation(spec, res.location) };
      return { item: this.decode(spec, res, AlmaItemSchema) };
    });
    return 'item' in found ? found.item : this.getItem(found.ref, 'getItemByBarcode');
  }

  async getItem(ref: ItemRef, operation = 'getItem'): Promise<AlmaItem> {
    return this.call({ operation, method: 'GET', path: itemPath(ref) }, AlmaItemSchema);
  }

  /** POST ?op=scan with register_in_house_use=false: a return, not an in-house use. Answers the item. */
  async scanIn(ref: ItemRef, at: CirculationPoint): Promise<AlmaItem> {
    const spec: CallSpec = {
      operation: 'scanIn',
      method: 'POST',
      path: itemPath(ref),
      query: {
        op: 'scan',
        library: at.library,
        circ_desk: at.circDesk,
        request_id: at.requestId,
        // Sent only at desks with hold-shelf processing, where Alma's Scan In page shows the option.
        place_on_hold_shelf: at.placeOnHoldShelf ? true : undefined,
        register_in_house_use: false,
      },
      body: {},
    };
    return this.call(spec, AlmaItemSchema);
  }

  // --- Requests --------------------------------------------------------------------------------------------------

  /** Active requests on the item. The OpenAPI declares no limit/offset here, so Alma's one answer must be whole. */
  async listItemRequests(ref: ItemRef): Promise<AlmaRequest[]> {
    const spec: CallSpec = {
      operation: 'listItemRequests',
      method: 'GET',
      path: `${itemPath(ref)}/requests`,
      query: { status: 'active' },
    };
    const page = await this.call(spec, AlmaRequestListSchema);
    return this.#whole(spec, page.user_request, page.total_record_count);
  }

  /**
   * Active requests on the bib: its title-level ones (which name no item until a scan-in binds them to one, and
   * which Alma's item "requested" flag may not count) and its item-level ones. No limit/offset declared: one answer.
   */
  async listBibRequests(mmsId: string): Promise<AlmaRequest[]> {
    const spec: CallSpec = {
      operation: 'listBibRequests',
      method: 'GET',
      path: `/bibs/${seg(mmsId)}/requests`,
      query: { status: 'active' },
    };
    const page = await this.call(spec, AlmaRequestListSchema);
    return this.#whole(spec, page.user_request, page.total_record_count);
  }

  async createItemRequest(userId: string, itemPid: string, body: AlmaRequestCreate): Promise<AlmaRequest> {
    const spec: CallSpec = {
      operation: 'createItemRequest',
      method: 'POST',
      path: `/users/${seg(userId)}/requests`,
      query: { item_pid: itemPid },
      body,
    };
    return this.call(spec, AlmaRequestSchema);
  }

  async cancelRequest(userId: string, requestId: string, options: CancelRequestOptions): Promise<void> {
    const spec: CallSpec = {
      operation: 'cancelRequest',
      method: 'DELETE',
      path: `/users/${seg(userId)}/requests/${seg(requestId)}`,
      query: { reason: options.reason, note: options.note, notify_user: options.notifyUser ?? false },
    };
    await this.request(spec, () => undefined);
  }

  // --- Loans -----------------------------------------------------------------------------------------------------

  async createLoan(userId: string, item: LoanItemSelector, at: CirculationPoint): Promise<AlmaLoan> {
    const spec: CallSpec = {
      operation: 'createLoan',
      method: 'POST',
      path: `/users/${seg(userId)}/loans`,
      query: 'barcode' in item ? { item_barcode: item.barcode } : { item_pid: item.itemPid },
      body: {
        circ_desk: { value: at.circDesk },
        library: { value: at.library },
        ...(at.requestId ? { request_id: { value: at.requestId } } : {}),
      },
    };
    return this.call(spec, AlmaLoanSchema);
  }

  async listUserLoans(userId: string, status: LoanStatus = 'Active'): Promise<AlmaLoan[]> {
    return this.#loanPages('listUserLoans', `/users/${seg(userId)}/loans`, status);
  }

  async getUserLoan(userId: string, loanId: string): Promise<AlmaLoan> {
    const path = `/users/${seg(userId)}/loans/${seg(loanId)}`;
    return this.call({ operation: 'getUserLoan', method: 'GET', path }, AlmaLoanSchema);
  }

  /**
   * PUT /users/{id}/loans/{loan_id}: changes the loan's due date, telling the patron nothing (notify_user=false, sent
   * explicitly). Alma documents 401681 for a due date in the past.
   */
  async changeLoanDueDate(userId: string, loanId: string, dueDate: string): Promise<AlmaLoan> {
    const spec: CallSpec = {
      operation: 'changeLoanDueDate',
      method: 'PUT',
      path: `/users/${seg(userId)}/loans/${seg(loanId)}`,
      query: { notify_user: 'false' },
      body: { due_date: dueDate },
    };
    return this.call(spec, AlmaLoanSchema);
  }

  async listItemLoans(ref: ItemRef, status: LoanStatus = 'Active'): Promise<AlmaLoan[]> {
    return this.#loanPages('listItemLoans', `${itemPath(ref)}/loans`, status);
  }

  // --- Fees ------------------------------------------------------------------------------------------------------

  /** Without `status` Alma returns the ACTIVE fees. The OpenAPI declares no paging here. */
  async listUserFees(userId: string, status?: FeeStatus): Promise<AlmaFee[]> {
    const spec: CallSpec = {
      operation: 'listUserFees',
      method: 'GET',
      path: `/users/${seg(userId)}/fees`,
      query: { status },
    };
    const page = await this.call(spec, AlmaFeeListSchema);
    return this.#whole(spec, page.fee, page.total_record_count);
  }

  // --- Paging, whole lists, redirects ----------------------------------------------------------------------------

  async #loanPages(operation: string, path: string, status: LoanStatus): Promise<AlmaLoan[]> {
    const spec: CallSpec = { operation, method: 'GET', path, query: { loan_status: status } };
    return this.#pages(
      spec,
      AlmaLoanListSchema,
      (page) => page.item_loan,
      (loan) => loan.loan_id,
    );
  }

  /** Pages with the maximum limit until total_record_count is reached: Alma silently truncates to 10 otherwise. */
  async #pages<S extends z.ZodType<{ total_record_count?: number }>, T>(
    spec: CallSpec,
    schema: S,
    recordsOf: (page: z.infer<S>) => T[],
    idOf: (record: T) => string,
  ): Promise<T[]> {
    const byId = new Map<string, T>();
    let offset = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await this.call({ ...spec, query: { ...spec.query, limit: PAGE_LIMIT, offset } }, schema);
      const records = recordsOf(answer);
      // Records may shift between pages while Alma changes underneath: keep each one once.
      for (const record of records) if (!byId.has(idOf(record))) byId.set(idOf(record), record);
      offset += records.length;
      if (records.length === 0 || offset >= (answer.total_record_count ?? offset)) return [...byId.values()];
    }
    throw this.invalid(spec, 'too many pages');
  }

  /** An unpaged list must hold every record Alma counted; a partial queue or fee list must never pass as whole. */
  #whole<T>(spec: CallSpec, records: T[], total: number | undefined): T[] {
    if (total !== undefined && total > records.length) {
      const almaMessage = `Alma returned ${records.length} of ${total} records and this path takes no paging parameters`;
      throw this.invalid(spec, almaMessage);
    }
    return records;
  }

  #refFromLocation(spec: CallSpec, location: string | undefined): ItemRef {
    const path =
      location && URL.canParse(location, this.baseUrl) ? new URL(location, this.baseUrl).pathname : undefined;
    const m = path ? itemPathPattern.exec(path) : null;
    if (!m?.[1] || !m[2] || !m[3]) {
      throw this.invalid(spec, location ? 'redirect to an unexpected path' : 'redirect without a Location');
    }
    return { mmsId: decodeURIComponent(m[1]), holdingId: decodeURIComponent(m[2]), itemPid: decodeURIComponent(m[3]) };
  }

  // --- Checks of a setup (relink doctor): the key's areas, and the institution's configuration -------------------

  /**
   * One of Alma's test endpoints: GET checks that the key reaches the region and may read the area, POST that it may
   * write there. Nothing is read or changed. Refused: an AlmaError (UNAUTHORIZED when the key lacks the permission).
   */
  async testAccess(area: 'users' | 'bibs', method: 'GET' | 'POST'): Promise<void> {
    const path = area === 'users' ? '/users/operation/test' : '/bibs/test';
    const operation = `test${area === 'users' ? 'Users' : 'Bibs'}${method === 'GET' ? 'Read' : 'Write'}`;
    await this.call({ operation, method, path, ...(method === 'POST' ? { body: {} } : {}) }, AlmaTestAnswerSchema);
  }

  /** The institution's libraries (Configuration API, read permission). */
  async listLibraries(): Promise<AlmaOrgUnit[]> {
    const answer = await this.call(
      { operation: 'listLibraries', method: 'GET', path: '/conf/libraries' },
      AlmaLibraryListSchema,
    );
    return answer.library;
  }

  /** A code table's rows (Configuration API), e.g. EmailTypes; an unknown table is an AlmaError. */
  async getCodeTable(name: string): Promise<AlmaCodeTableRow[]> {
    const answer = await this.call(
      { operation: 'getCodeTable', method: 'GET', path: `/conf/code-tables/${seg(name)}` },
      AlmaCodeTableSchema,
    );
    return answer.row;
  }

  /** A library's circulation desks (Configuration API); an unknown library is an AlmaError. */
  async listCircDesks(libraryCode: string): Promise<AlmaOrgUnit[]> {
    const answer = await this.call(
      { operation: 'listCircDesks', method: 'GET', path: `/conf/libraries/${seg(libraryCode)}/circ-desks` },
      AlmaCircDeskListSchema,
    );
    return answer.circ_desk;
  }
}
