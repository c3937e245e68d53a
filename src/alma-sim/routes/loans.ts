// Loans: create (by user path or item path), list by user or item (paged, Alma's default page of 10 truncating
// silently), and one loan. A lost loan stays ACTIVE, so it is in the Active list.
import { z } from 'zod';
import { almaError, err } from '../errors';
import type { ItemRecord, LoanRecord, RequestRecord, UserRecord } from '../fixtures';
import { LETTERS } from '../notices';
import { isoSeconds } from '../store';
import { LOAN_PERIOD_DAYS, LOANABLE_PROCESS_TYPES, REQUEST_HISTORY_STATUS } from '../vocab';
import type { SimCore } from '../core';
import type { ApiRequest, RouteDef } from './types';
import { codeOf, flag, jsonBody, listBody, oneOf, page } from './util';

const LOAN_LIST_PARAMS = ['limit', 'offset', 'order_by', 'direction', 'loan_status'] as const;
const ORDER_BY = ['id', 'loan_date', 'due_date', 'barcode', 'title', 'author', 'return_date'] as const;
const SORT_FIELD: Record<(typeof ORDER_BY)[number], string> = {
  id: 'loan_id',
  loan_date: 'loan_date',
  due_date: 'due_date',
  barcode: 'item_barcode',
  title: 'title',
  author: 'author',
  return_date: 'return_date',
};

function compare(a: unknown, b: unknown): number {
  const x = String(a ?? '');
  const y = String(b ?? '');
  if (/^\d+$/.test(x) && /^\d+$/.test(y) && x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function loanList(req: ApiRequest, core: SimCore, loans: LoanRecord[], expandRenewable = false) {
  const status = oneOf(req, 'loan_status', ['Active', 'Complete'], 'Active');
  const orderBy = oneOf(req, 'order_by', ORDER_BY, 'id');
  const direction = oneOf(req, 'direction', ['ASC', 'DESC'], 'ASC');
  const field = SORT_FIELD[orderBy];
  const matching = loans
    .filter((l) => l.loan_status === status.toUpperCase())
    .sort((a, b) => compare(a[field], b[field]) * (direction === 'DESC' ? -1 : 1));
  const shown = page(req, matching).map((l) => {
    const view = core.store.loanView(l, req.baseUrl);
    if (expandRenewable)
      view.renewable = l.loan_status === 'ACTIVE' && l.process_status !== core.options.lostProcessStatus;
    return view;
  });
  return listBody('item_loan', shown, matching.length);
}

/** The end of the loan day, as Alma's due dates are (e.g. 2026-12-01T22:59:00Z). */
function dueDate(now: Date): string {
  const due = new Date(now.getTime() + LOAN_PERIOD_DAYS * 86_400_000);
  due.setUTCHours(22, 59, 0, 0);
  return isoSeconds(due);
}

const notLoanable = (detail: string) => almaError('401651', `Item is not loanable. (${detail})`);
const wrongDesk = (detail: string) =>
  almaError('401153', `Item cannot be loaned from this circulation desk. (${detail})`);

/**
 * A library's loan rules in the fixture (`loan_policy` on the library, standing for its fulfillment unit's rules and
 * the patron's user-group limits): a policy restricted to the API (60340), and the loan and fine limits Alma computes
 * when a loan is attempted (not user blocks). A staff member at a desk overrides them; the API cannot.
 */
const loanPolicySchema = z
  .object({
    api_restricted: z.boolean().optional(),
    max_loans: z.number().int().min(0).optional(),
    fine_limit: z.number().min(0).optional(),
  })
  .optional();

function checkLoanPolicy(core: SimCore, user: UserRecord, libraryCode: string): void {
  const { store } = core;
  const policy = loanPolicySchema.parse(store.library(libraryCode)?.loan_policy);
  if (!policy) return;
  if (policy.api_restricted) throw almaError('60340', 'The loan is API Restricted by library.');
  const active = store.loansOfUser(user.primary_id).filter((l) => l.loan_status === 'ACTIVE').length;
  if (policy.max_loans !== undefined && active >= policy.max_loans) {
    throw almaError('401161', `Loan limit reached: the patron has ${active} active loans.`);
  }
  const owed = store.fees
    .filter((f) => store.feeUserId(f) === user.primary_id && f.status.value === 'ACTIVE')
    .reduce((sum, f) => sum + (f.balance ?? 0), 0);
  // Alma words a fine limit in the API as its catch-all.
  if (policy.fine_limit !== undefined && owed > policy.fine_limit) {
    throw err.general('An error has occurred while processing the request.');
  }
}

export interface LoanPlace {
  libraryCode?: string;
  deskCode?: string;
  requestId?: string;
}

function createLoan(req: ApiRequest, core: SimCore, user: UserRecord, item: ItemRecord) {
  const body = jsonBody(req, '401652', 'General Error: An error has occurred while processing the request.');
  const place = {
    deskCode: codeOf(body.circ_desk),
    libraryCode: codeOf(body.library),
    requestId: codeOf(body.request_id),
  };
  const loan = makeLoan(core, user, item, place, false);
  return { status: 200, body: core.store.loanView(loan, req.baseUrl) };
}

/**
 * A loan, by the API or (`staffOverride`) by a staff member at a desk in Manage Patron Services, who overrides the
 * loan rules and limits Alma would otherwise refuse the loan for (blocks too); the item's own state still counts.
 */
export function makeLoan(
  core: SimCore,
  user: UserRecord,
  item: ItemRecord,
  { libraryCode, deskCode, requestId }: LoanPlace,
  staffOverride: boolean,
): LoanRecord {
  const { store, notices } = core;
  if (!deskCode || !libraryCode) throw wrongDesk('circ_desk and library are mandatory');
  const desk = store.desk(libraryCode, deskCode);
  if (!desk) throw wrongDesk(`${deskCode} is not a circulation desk of library ${libraryCode}`);
  const itemLibrary = core.store.circulationLibraryOf(item);
  if (libraryCode !== itemLibrary)
    throw wrongDesk(`desk ${deskCode} of ${libraryCode} does not serve library ${itemLibrary}`);

  // The patron: active, card not expired, no active block (a staff member may override all of these).
  const now = core.now();
  if (!staffOverride) checkPatron(core, user, libraryCode, now);

  // The item: not on loan, not on the hold shelf for someone else, at the desk.
  const current = store.activeLoanOn(item);
  if (current?.user_id === user.primary_id) throw almaError('400042', 'Item is already loaned to this patron.');
  if (current) throw notLoanable('it is on loan to another patron');
  const queue = store.requestsOn(item);
  if (queue.some((r) => r.request_status === 'ON_HOLD_SHELF' && r.user_primary_id !== user.primary_id)) {
    throw notLoanable('it is on the hold shelf for another patron');
  }
  const process = store.processTypeOf(item);
  if (!LOANABLE_PROCESS_TYPES.has(process)) throw notLoanable(`its process type is ${process}; scan it in first`);
  const own = queue.filter((r) => r.user_primary_id === user.primary_id);
  if (requestId && !own.some((r) => r.request_id === requestId)) {
    throw err.general(`request ${requestId} is not an active request of this patron on this item.`);
  }
  return recordLoan(core, user, item, desk, libraryCode, requestId, own, now, notices);
}

function checkPatron(core: SimCore, user: UserRecord, libraryCode: string, now: Date): void {
  if (user.status && user.status.value !== 'ACTIVE') {
    throw almaError('401201', `Loan blocked: the patron's status is ${user.status.value}.`);
  }
  if (user.expiry_date && Date.parse(user.expiry_date) < now.getTime()) {
    throw almaError('401168', "Patron's card has expired.");
  }
  const block = (user.user_block ?? []).find(
    (b) => (b.block_status ?? 'ACTIVE') === 'ACTIVE' && !(b.expiry_date && Date.parse(b.expiry_date) < now.getTime()),
  );
  if (block) {
    const why = codeOf(block.block_description) ?? codeOf(block.block_type) ?? 'user block';
    throw almaError('401163', `Loan blocked by a patron block: ${why}.`);
  }
  checkLoanPolicy(core, user, libraryCode);
}

function recordLoan(
  core: SimCore,
  user: UserRecord,
  item: ItemRecord,
  desk: { code: string; name: string },
  libraryCode: string,
  requestId: string | undefined,
  own: RequestRecord[],
  now: Date,
  notices: SimCore['notices'],
): LoanRecord {
  const { store } = core;
  // The patron's own request on the item is fulfilled by the loan and leaves the queue.
  const fulfilled = requestId ? own.find((r) => r.request_id === requestId) : own[0];
  if (fulfilled) {
    fulfilled.request_status = REQUEST_HISTORY_STATUS;
    delete fulfilled.place_in_queue;
    store.renumberQueue(item);
  }
  store.setItemStatus(item, false, 'LOAN');
  const library = { value: libraryCode, desc: store.libraryDesc(libraryCode) };
  const loan: LoanRecord = {
    loan_id: store.newId('loan'),
    circ_desk: { value: desk.code, desc: desk.name },
    library,
    user_id: user.primary_id,
    item_barcode: item.item_data.barcode,
    due_date: dueDate(now),
    loan_status: 'ACTIVE',
    loan_date: isoSeconds(now),
    process_status: 'NORMAL',
    mms_id: item.bib_data.mms_id,
    holding_id: item.holding_data.holding_id,
    item_id: item.item_data.pid,
    title: item.bib_data.title ?? '',
    author: item.bib_data.author ?? '',
    description: '',
    location_code: {
      value: item.item_data.location?.value ?? '',
      name: item.item_data.location?.desc ?? '',
    },
    item_policy: { value: item.item_data.policy?.value ?? '', description: item.item_data.policy?.desc ?? '' },
    call_number: item.holding_data.call_number ?? '',
    renewable: true,
    ...(fulfilled ? { request_id: { value: fulfilled.request_id } } : {}),
  };
  store.loans.push(loan);
  notices.send(LETTERS.loanReceipt, user, {
    loan_id: loan.loan_id,
    item_barcode: item.item_data.barcode,
    title: item.bib_data.title,
    due_date: loan.due_date,
  });
  return loan;
}

export const loanRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/almaws/v1/users/{user_id}/loans',
    query: ['user_id_type', ...LOAN_LIST_PARAMS, 'expand'],
    handler(req, core) {
      const user = core.store.requireUser(req.params.user_id ?? '', req.query.user_id_type || 'all_unique');
      const expand = (req.query.expand ?? '').split(',').map((e) => e.trim());
      return {
        status: 200,
        body: loanList(req, core, core.store.loansOfUser(user.primary_id), expand.includes('renewable')),
      };
    },
  },
  {
    method: 'POST',
    path: '/almaws/v1/users/{user_id}/loans',
    query: ['item_pid', 'user_id_type', 'item_barcode', 'generate_linked_user'],
    handler(req, core) {
      flag(req, 'generate_linked_user', false);
      const user = core.store.requireUser(req.params.user_id ?? '', req.query.user_id_type || 'all_unique');
      const { item_pid: pid, item_barcode: barcode } = req.query;
      if (!pid && !barcode) throw almaError('401672', 'PID field is empty.');
      const item = pid ? core.store.itemByPid(pid) : core.store.itemByBarcode(barcode ?? '');
      if (!item && barcode && !pid) throw almaError('401689', `No items found for barcode ${barcode}.`);
      if (!item) throw err.general(`No item with PID ${pid}.`);
      return createLoan(req, core, user, item);
    },
  },
  {
    method: 'GET',
    path: '/almaws/v1/users/{user_id}/loans/{loan_id}',
    query: [],
    handler(req, { store }) {
      const user = store.requireUser(req.params.user_id ?? '');
      const loan = store.loans.find((l) => l.loan_id === req.params.loan_id && l.user_id === user.primary_id);
      if (!loan) throw almaError('401823', `Loan ${req.params.loan_id} does not exist for this user.`);
      return { status: 200, body: store.loanView(loan, req.baseUrl) };
    },
  },
  {
    // "Change loan due date", as Ex Libris documents it: due_date is required (401824), and a due date in the past is
    // refused (401681 "Due date cannot be in the past.") unless the simulator is told this tenant accepts one.
    method: 'PUT',
    path: '/almaws/v1/users/{user_id}/loans/{loan_id}',
    query: ['notify_user'],
    handler(req, core) {
      const { store, notices } = core;
      const user = store.requireUser(req.params.user_id ?? '');
      const loan = store.loans.find(
        (l) => l.loan_id === req.params.loan_id && l.user_id === user.primary_id && l.loan_status === 'ACTIVE',
      );
      if (!loan) throw almaError('401823', `Loan ID ${req.params.loan_id} does not exist.`);
      const body = jsonBody(req, '401824', 'Due date is not in loan object.');
      const asked = typeof body.due_date === 'string' ? Date.parse(body.due_date) : NaN;
      if (Number.isNaN(asked)) throw almaError('401824', 'Due date is not in loan object.');
      if (asked < core.now().getTime() && !core.options.acceptPastDueDate) {
        throw almaError('401681', 'Due date cannot be in the past.');
      }
      loan.due_date = isoSeconds(new Date(asked));
      // notify_user defaults to false; when true, the borrower hears of the change at the address of the moment.
      if (flag(req, 'notify_user', false)) {
        notices.send(LETTERS.loanStatusNotice, user, {
          loan_id: loan.loan_id,
          item_barcode: loan.item_barcode,
          due_date: loan.due_date,
        });
      }
      return { status: 200, body: store.loanView(loan, req.baseUrl) };
    },
  },
  {
    method: 'GET',
    path: '/almaws/v1/bibs/{mms_id}/holdings/{holding_id}/items/{item_id}/loans',
    query: LOAN_LIST_PARAMS,
    handler(req, core) {
      const item = core.store.itemAt(req.params.mms_id ?? '', req.params.holding_id ?? '', req.params.item_id ?? '');
      if (!item)
        throw err.general(
          `No item ${req.params.item_id} under bib ${req.params.mms_id} holding ${req.params.holding_id}.`,
        );
      return { status: 200, body: loanList(req, core, core.store.loansOfItem(item)) };
    },
  },
  {
    method: 'POST',
    path: '/almaws/v1/bibs/{mms_id}/holdings/{holding_id}/items/{item_pid}/loans',
    query: ['user_id', 'user_id_type'],
    handler(req, core) {
      const userId = req.query.user_id;
      if (!userId) throw err.badParameter('user_id is mandatory.');
      const user = core.store.requireUser(userId, req.query.user_id_type || 'all_unique');
      const item = core.store.itemAt(req.params.mms_id ?? '', req.params.holding_id ?? '', req.params.item_pid ?? '');
      if (!item)
        throw err.general(
          `No item ${req.params.item_pid} under bib ${req.params.mms_id} holding ${req.params.holding_id}.`,
        );
      return createLoan(req, core, user, item);
    },
  },
];
