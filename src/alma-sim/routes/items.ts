// Items: the barcode lookup (a 302 to the item's full path, as Alma does), the item GET, and scan-in, which
// returns an active loan, clears a missing/lost/transit status, and routes the item to the first request (the item's
// own, else a title-level request on its bib, which the scan binds to the item).
import type { SimCore } from '../core';
import { almaError, err } from '../errors';
import type { ItemRecord, RequestRecord } from '../fixtures';
import { LETTERS } from '../notices';
import { isoSeconds, type Desk } from '../store';
import { REQUEST_ACTIVE_STATUSES } from '../vocab';
import type { RouteDef } from './types';
import { flag, required } from './util';

const ITEM = '/almaws/v1/bibs/{mms_id}/holdings/{holding_id}/items/{item_pid}';

export function itemPath(item: ItemRecord): string {
  const e = encodeURIComponent;
  return `/almaws/v1/bibs/${e(item.bib_data.mms_id)}/holdings/${e(item.holding_data.holding_id)}/items/${e(item.item_data.pid)}`;
}

const scanFailed = (detail: string) => almaError('402502', `Scan in of item failed. (${detail})`);

export const itemRoutes: RouteDef[] = [
  {
    // Not an OpenAPI path: documented as a redirect to the item's full path; the redirect is a call of its own.
    method: 'GET',
    path: '/almaws/v1/items',
    query: ['item_barcode', 'view', 'expand', 'user_id'],
    redirect: true,
    handler(req, { store }) {
      const barcode = required(req, 'item_barcode');
      const item = store.itemByBarcode(barcode);
      if (!item) throw almaError('401689', `No items found for barcode ${barcode}.`);
      // Other parameters (format, view, …) travel on, so the redirected call is the one the client asked for.
      const rest = new URLSearchParams(Object.entries(req.query).filter(([k]) => k !== 'item_barcode')).toString();
      return { status: 302, location: `${req.baseUrl}${itemPath(item)}${rest ? `?${rest}` : ''}` };
    },
  },
  {
    method: 'GET',
    path: ITEM,
    query: ['view', 'expand', 'user_id'],
    handler(req, { store }) {
      const item = store.itemAt(req.params.mms_id ?? '', req.params.holding_id ?? '', req.params.item_pid ?? '');
      if (!item)
        throw err.general(
          `No item ${req.params.item_pid} under bib ${req.params.mms_id} holding ${req.params.holding_id}.`,
        );
      const view = store.itemView(item, req.baseUrl);
      const expand = (req.query.expand ?? '').split(',').map((e) => e.trim());
      if (expand.includes('due_date')) {
        const loan = store.activeLoanOn(item);
        if (loan?.due_date) view.item_data.due_date = loan.due_date;
      }
      if (expand.includes('due_date_policy')) view.item_data.due_date_policy = '28 Days Loan';
      return { status: 200, body: view };
    },
  },
  {
    method: 'POST',
    path: ITEM,
    query: [
      'op',
      'external_id',
      'request_id',
      'library',
      'circ_desk',
      'department',
      'work_order_type',
      'status',
      'done',
      'auto_print_slip',
      'place_on_hold_shelf',
      'confirm',
      'register_in_house_use',
    ],
    handler(req, core) {
      const { store } = core;
      if (req.query.op !== 'scan') throw err.badParameter(`op=${req.query.op ?? ''}: the only operation is scan.`);
      const item = store.itemAt(req.params.mms_id ?? '', req.params.holding_id ?? '', req.params.item_pid ?? '');
      if (!item) throw almaError('402504', 'Scan in has failed due to item retrieve issue.');
      const libraryCode = required(req, 'library');
      const deskCode = req.query.circ_desk;
      if (!deskCode && !req.query.department) {
        throw almaError('40166415', 'Must send at least one of the following parameters: [circ_desk,department]');
      }
      if (deskCode && req.query.department) throw err.badParameter('Send either circ_desk or department, not both.');
      for (const name of ['external_id', 'done', 'auto_print_slip', 'confirm', 'register_in_house_use']) {
        flag(req, name, false);
      }
      const placeOnHoldShelf = flag(req, 'place_on_hold_shelf', false);
      if (!deskCode) throw scanFailed('scans at a department (work orders) are not simulated');
      if (req.query.work_order_type || req.query.status) throw scanFailed('work orders are not simulated');
      if (!store.library(libraryCode)) throw scanFailed(`unknown library ${libraryCode}`);
      const desk = store.desk(libraryCode, deskCode);
      if (!desk) throw scanFailed(`circulation desk ${deskCode} is not a desk of library ${libraryCode}`);
      const { target, destination } = scanItemIn(core, item, libraryCode, desk, {
        requestId: req.query.request_id,
        placeOnHoldShelf,
      });

      const requester = target ? store.findUser(target.user_primary_id, 'primary_id') : undefined;
      const view = store.itemView(item, req.baseUrl);
      view.additional_info =
        `Item's destination is: ${destination}. ` +
        `Request/Process Type: ${target ? 'Patron physical item request' : ''}. ` +
        `Requester: ${requester ? `${requester.last_name ?? ''}, ${requester.first_name ?? ''}` : ''}. ` +
        `Requester ID: ${target?.user_primary_id ?? ''}. ` +
        `Place in Queue: ${store.requestsOn(item).length}`;
      return { status: 200, body: view };
    },
  },
];

/**
 * A scan-in, through the API or at a desk in Alma's UI (Fulfillment > Return Items, the staff's way round a refused
 * API scan): returns the loan on the item, then serves the request it now fulfils, or sends it home.
 */
export function scanItemIn(
  core: SimCore,
  item: ItemRecord,
  libraryCode: string,
  desk: Desk,
  { requestId, placeOnHoldShelf = false }: { requestId?: string; placeOnHoldShelf?: boolean } = {},
): { target: RequestRecord | undefined; destination: string } {
  const { store, notices } = core;
  const queue = store.requestsOn(item);
  // The bib's title-level requests not yet bound to an item: this item can fulfil any of them.
  const titleQueue = store.titleRequestsOn(item.bib_data.mms_id);
  if (requestId && ![...queue, ...titleQueue].some((r) => r.request_id === requestId)) {
    throw scanFailed(`request ${requestId} is not an active request on this item`);
  }
  const now = core.now();
  // A scan-in returns an item on loan: the loan is completed (a lost loan keeps its Lost process status).
  const loan = store.activeLoanOn(item);
  if (loan) {
    loan.loan_status = 'COMPLETE';
    loan.return_date = isoSeconds(now);
    loan.return_circ_desk = { value: desk.code, desc: desk.name };
    const borrower = store.findUser(loan.user_id, 'primary_id');
    if (core.options.returnReceipt && borrower) {
      notices.send(LETTERS.returnReceipt, borrower, {
        loan_id: loan.loan_id,
        item_barcode: item.item_data.barcode,
        title: item.bib_data.title,
      });
    }
  }

  // The request the item now serves: the one named, else one already on the hold shelf, else the first in the
  // item's line, else the first title-level request on its bib.
  const target: RequestRecord | undefined = requestId
    ? [...queue, ...titleQueue].find((r) => r.request_id === requestId)
    : (queue.find((r) => r.request_status === 'ON_HOLD_SHELF') ?? queue[0] ?? titleQueue[0]);
  if (target && target.item_id === undefined) {
    // A title-level request is bound to the item that fulfils it: from now on it is in this item's queue.
    target.item_id = item.item_data.pid;
    target.barcode = item.item_data.barcode;
    target.place_in_queue = queue.length + 1;
    store.renumberTitleQueue(item.bib_data.mms_id);
  }
  for (const r of queue) {
    if (r !== target && r.request_status !== 'NOT_STARTED' && REQUEST_ACTIVE_STATUSES.has(r.request_status)) {
      r.request_status = 'NOT_STARTED';
    }
  }
  // Home is where the item circulates: its temporary location's library while it is in one.
  const home = store.circulationLibraryOf(item);
  let destination: string;
  if (target) {
    const pickup = target.pickup_location_library ?? home;
    if (pickup === libraryCode && desk.holdShelfProcessing && !placeOnHoldShelf) {
      // A desk with hold-shelf processing keeps the item in processing unless the scan places it on the shelf: the
      // requester is not told yet, and the item cannot be loaned until it is on the shelf.
      store.setItemStatus(item, false, 'HOLD_SHELF_PROCESSING');
      target.request_status = 'IN_PROCESS';
      destination = 'Hold Shelf Processing';
    } else if (pickup === libraryCode) {
      // Scanned at the pickup library: onto the hold shelf, and the requester is told.
      const already = target.request_status === 'ON_HOLD_SHELF' && store.processTypeOf(item) === 'HOLDSHELF';
      store.setItemStatus(item, false, 'HOLDSHELF');
      target.request_status = 'ON_HOLD_SHELF';
      destination = 'Hold Shelf';
      const requester = store.findUser(target.user_primary_id, 'primary_id');
      if (!already && requester) {
        notices.send(LETTERS.onHoldShelf, requester, {
          request_id: target.request_id,
          item_barcode: item.item_data.barcode,
          title: item.bib_data.title,
          pickup_location: store.libraryDesc(pickup),
        });
      }
    } else {
      // Scanned elsewhere: in transit to the pickup library.
      store.setItemStatus(item, false, 'TRANSIT');
      target.request_status = 'IN_PROCESS';
      destination = `Transit to ${store.libraryDesc(pickup)}`;
    }
  } else if (libraryCode === home) {
    store.setItemStatus(item, true, '');
    const holding = item.holding_data as {
      in_temp_location?: boolean;
      temp_location?: { value?: string; desc?: string };
    };
    const location =
      holding.in_temp_location && holding.temp_location ? holding.temp_location : item.item_data.location;
    destination = `Reshelve to ${location?.desc ?? location?.value ?? home}`;
  } else {
    store.setItemStatus(item, false, 'TRANSIT');
    destination = `Transit to ${store.libraryDesc(home)}`;
  }
  return { target, destination };
}
