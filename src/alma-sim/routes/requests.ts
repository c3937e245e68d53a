// Requests: a patron's HOLD on an item (created by user path or item path) or on a title (user path with mms_id and
// no item: any item of the bib may fulfil it), the item's queue, the bib's requests, one request, and cancellation,
// which sends the cancellation letter unless notify_user=false.
import { almaError, err } from '../errors';
import type { ItemRecord, RequestRecord, UserRecord } from '../fixtures';
import { LETTERS } from '../notices';
import { clone, isActiveRequest, isoSeconds } from '../store';
import { PATRON_PHYSICAL, REQUEST_HISTORY_STATUS } from '../vocab';
import type { SimCore } from '../core';
import type { ApiRequest, RouteDef } from './types';
import { codeOf, flag, jsonBody, listBody, oneOf, page, required } from './util';

const notFound = (id: string) => almaError('401694', `Request Identifier ${id} not found.`);

function filterRequests(req: ApiRequest, list: RequestRecord[], types: readonly string[], fallbackType: string) {
  const status = oneOf(req, 'status', ['active', 'history'], 'active');
  const type = oneOf(req, 'request_type', types, fallbackType);
  return list.filter(
    (r) => isActiveRequest(r) === (status === 'active') && (type === 'all_types' || r.request_type === type),
  );
}

/** What a request is on: one item (item level), or a bib whose items any may fulfil it (title level). */
type RequestTarget = { item: ItemRecord } | { mmsId: string; items: ItemRecord[] };

function createRequest(req: ApiRequest, core: SimCore, user: UserRecord, on: RequestTarget) {
  const { store } = core;
  flag(req, 'allow_same_request', false);
  const body = jsonBody(req, '60331', 'Failed to create request.');
  if (body.request_type !== 'HOLD') {
    throw almaError(
      '60331',
      `Failed to create request. (request_type ${String(body.request_type)}: only HOLD is simulated)`,
    );
  }
  const pickupType = codeOf(body.pickup_location_type) ?? 'LIBRARY';
  const pickupLibrary = codeOf(body.pickup_location_library) ?? '';
  const pickupDesk = codeOf(body.pickup_location_circulation_desk);
  if (pickupType === 'USER_HOME_ADDRESS' || pickupType === 'USER_WORK_ADDRESS') {
    throw almaError('60308', 'Delivery to personal address is not supported.');
  }
  if (pickupType !== 'LIBRARY' && pickupType !== 'CIRCULATION_DESK') {
    throw almaError('60331', `Failed to create request. (pickup_location_type ${pickupType} is not simulated)`);
  }
  const pickupOk =
    store.library(pickupLibrary) !== undefined &&
    (pickupType === 'LIBRARY' || (pickupDesk !== undefined && store.desk(pickupLibrary, pickupDesk) !== undefined));
  if (!pickupOk) {
    throw almaError(
      '401895',
      `Pickup circulation desk with code ${pickupDesk ?? ''} and library code ${pickupLibrary} was not found.`,
    );
  }
  const item = 'item' in on ? on.item : on.items[0]!;
  const queue = 'item' in on ? store.requestsOn(item) : store.titleRequestsOn(on.mmsId);
  if (queue.some((r) => r.user_primary_id === user.primary_id)) {
    throw almaError('401136', 'Failed to save the request: Patron has active request for selected item.');
  }
  const candidates = 'item' in on ? [on.item] : on.items;
  if (candidates.every((i) => store.activeLoanOn(i)?.user_id === user.primary_id)) {
    throw almaError('401129', 'No items can fulfill the submitted request. (the patron has this item on loan)');
  }
  const now = core.now();
  const home = item.item_data.library.value;
  const request: RequestRecord = {
    user_primary_id: user.primary_id,
    request_type: 'HOLD',
    request_sub_type: { ...PATRON_PHYSICAL },
    request_status: 'NOT_STARTED',
    pickup_location: store.libraryDesc(pickupLibrary),
    pickup_location_type: pickupType,
    pickup_location_library: pickupLibrary,
    ...(pickupDesk ? { pickup_location_circulation_desk: pickupDesk } : {}),
    request_id: store.newId('request'),
    place_in_queue: queue.length + 1,
    mms_id: item.bib_data.mms_id,
    // A title-level request names no item until a scan-in binds it to one.
    ...('item' in on ? { item_id: item.item_data.pid, barcode: item.item_data.barcode } : {}),
    title: item.bib_data.title ?? '',
    author: item.bib_data.author ?? '',
    description: '',
    managed_by_library: store.libraryDesc(home),
    managed_by_library_code: home,
    request_date: `${isoSeconds(now).slice(0, 10)}Z`,
    request_time: isoSeconds(now),
    ...(typeof body.comment === 'string' ? { comment: body.comment } : {}),
    ...(typeof body.last_interest_date === 'string' ? { last_interest_date: body.last_interest_date } : {}),
  };
  store.requests.push(request);
  core.webhooks.emit('REQUEST', 'REQUEST_CREATED', 'user_request', request, now);
  return { status: 200, body: clone(request) };
}

function cancelRequest(req: ApiRequest, core: SimCore, request: RequestRecord) {
  const { store, notices } = core;
  const reason = required(req, 'reason');
  const notify = flag(req, 'notify_user', true);
  request.request_status = REQUEST_HISTORY_STATUS;
  request.cancel_reason = { value: reason };
  if (req.query.note) request.cancel_note = req.query.note;
  delete request.place_in_queue;
  const item = request.item_id === undefined ? undefined : store.itemByPid(request.item_id);
  if (item) store.renumberQueue(item);
  else if (request.mms_id) store.renumberTitleQueue(request.mms_id);
  const requester = store.findUser(request.user_primary_id, 'primary_id');
  if (notify && requester) {
    notices.send(LETTERS.cancelRequest, requester, {
      request_id: request.request_id,
      item_barcode: item?.item_data.barcode,
      title: item?.bib_data.title ?? (typeof request.title === 'string' ? request.title : undefined),
      reason,
    });
  }
  return { status: 204 };
}

function itemAtPath(core: SimCore, mmsId: string, holdingId: string, pid: string): ItemRecord {
  const item = core.store.itemAt(mmsId, holdingId, pid);
  if (!item) throw err.general(`No item ${pid} under bib ${mmsId} holding ${holdingId}.`);
  return item;
}

export const requestRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/almaws/v1/users/{user_id}/requests',
    query: ['request_type', 'user_id_type', 'limit', 'offset', 'status'],
    handler(req, { store }) {
      const user = store.requireUser(req.params.user_id ?? '', req.query.user_id_type || 'all_unique');
      const own = store.requests.filter((r) => r.user_primary_id === user.primary_id);
      const matching = filterRequests(req, own, ['all_types', 'HOLD', 'DIGITIZATION', 'BOOKING'], 'all_types');
      return { status: 200, body: listBody('user_request', page(req, matching).map(clone), matching.length) };
    },
  },
  {
    method: 'POST',
    path: '/almaws/v1/users/{user_id}/requests',
    query: ['user_id_type', 'mms_id', 'item_pid', 'allow_same_request'],
    handler(req, core) {
      const user = core.store.requireUser(req.params.user_id ?? '', req.query.user_id_type || 'all_unique');
      const pid = req.query.item_pid;
      const mmsId = req.query.mms_id;
      if (!pid && mmsId) {
        // Title level: any item of the bib may fulfil it, the first one scanned in that the request can take.
        const items = core.store.items.filter((i) => i.bib_data.mms_id === mmsId);
        if (items.length === 0) throw almaError('60328', 'Item for request was not found.');
        return createRequest(req, core, user, { mmsId, items });
      }
      if (!pid) throw err.badParameter('item_pid (or mms_id) is mandatory.');
      const item = core.store.itemByPid(pid);
      if (!item || (mmsId && mmsId !== item.bib_data.mms_id)) {
        throw almaError('60328', 'Item for request was not found.');
      }
      return createRequest(req, core, user, { item });
    },
  },
  {
    method: 'GET',
    path: '/almaws/v1/users/{user_id}/requests/{request_id}',
    query: ['user_id_type'],
    handler(req, { store }) {
      const user = store.requireUser(req.params.user_id ?? '', req.query.user_id_type || 'all_unique');
      const request = store.requests.find(
        (r) => r.request_id === req.params.request_id && r.user_primary_id === user.primary_id,
      );
      if (!request) throw notFound(req.params.request_id ?? '');
      return { status: 200, body: clone(request) };
    },
  },
  {
    method: 'DELETE',
    path: '/almaws/v1/users/{user_id}/requests/{request_id}',
    query: ['reason', 'note', 'notify_user'],
    handler(req, core) {
      const user = core.store.requireUser(req.params.user_id ?? '');
      const request = core.store.requests.find(
        (r) => r.request_id === req.params.request_id && r.user_primary_id === user.primary_id && isActiveRequest(r),
      );
      if (!request) throw notFound(req.params.request_id ?? '');
      return cancelRequest(req, core, request);
    },
  },
  {
    // Every request on the bib: title-level ones (bound to an item by a scan-in, or not yet) and item-level ones.
    method: 'GET',
    path: '/almaws/v1/bibs/{mms_id}/requests',
    query: ['request_type', 'status'],
    handler(req, core) {
      const mmsId = req.params.mms_id ?? '';
      if (!/^\d+$/.test(mmsId)) throw almaError('402204', `Input parameters mmsId ${mmsId} is not numeric.`);
      if (!core.store.items.some((i) => i.bib_data.mms_id === mmsId)) {
        throw almaError('402203', `Input parameters mmsId ${mmsId} is not valid.`);
      }
      const shown = core.options.bibRequestsList;
      const all = core.store.requests.filter((r) => r.mms_id === mmsId && (shown !== 'title-level-only' || !r.item_id));
      const types = ['all_types', 'HOLD', 'DIGITIZATION', 'BOOKING', 'MOVE', 'WORK_ORDER'];
      const matching = filterRequests(req, all, types, 'all_types').map((r) => {
        const view = clone(r);
        if (shown === 'barcode-only') delete view.item_id;
        return view;
      });
      return { status: 200, body: listBody('user_request', matching, matching.length) };
    },
  },
  {
    method: 'GET',
    path: '/almaws/v1/bibs/{mms_id}/holdings/{holding_id}/items/{item_id}/requests',
    query: ['request_type', 'status'],
    handler(req, core) {
      const { mms_id: mmsId = '', holding_id: holdingId = '', item_id: pid = '' } = req.params;
      if (!core.store.items.some((i) => i.bib_data.mms_id === mmsId)) {
        throw almaError('402203', `Input parameters mmsId ${mmsId} is not valid.`);
      }
      const item = itemAtPath(core, mmsId, holdingId, pid);
      const all = [...core.store.requestsOn(item, true), ...core.store.requestsOn(item, false)];
      // No limit/offset declared for this operation: the whole queue comes back.
      const matching = filterRequests(req, all, ['all_types', 'HOLD', 'DIGITIZATION', 'BOOKING'], 'all_types');
      return { status: 200, body: listBody('user_request', matching.map(clone), matching.length) };
    },
  },
  {
    method: 'GET',
    path: '/almaws/v1/bibs/{mms_id}/holdings/{holding_id}/items/{item_id}/requests/{request_id}',
    query: [],
    handler(req, core) {
      const item = itemAtPath(core, req.params.mms_id ?? '', req.params.holding_id ?? '', req.params.item_id ?? '');
      const request = core.store.requests.find(
        (r) => r.request_id === req.params.request_id && r.item_id === item.item_data.pid,
      );
      if (!request) throw err.general(`No request ${req.params.request_id} on this item.`);
      return { status: 200, body: clone(request) };
    },
  },
  {
    method: 'POST',
    path: '/almaws/v1/bibs/{mms_id}/holdings/{holding_id}/items/{item_pid}/requests',
    query: ['user_id', 'user_id_type', 'allow_same_request'],
    handler(req, core) {
      const userId = req.query.user_id;
      if (!userId) throw err.badParameter('user_id is mandatory (library-level requests are not simulated).');
      const user = core.store.requireUser(userId, req.query.user_id_type || 'all_unique');
      const item = core.store.itemAt(req.params.mms_id ?? '', req.params.holding_id ?? '', req.params.item_pid ?? '');
      if (!item) throw almaError('60328', 'Item for request was not found.');
      return createRequest(req, core, user, { item });
    },
  },
  {
    method: 'DELETE',
    path: '/almaws/v1/bibs/{mmsId}/holdings/{holdingId}/items/{itemPid}/requests/{requestId}',
    query: ['reason', 'note', 'notify_user'],
    handler(req, core) {
      const item = itemAtPath(core, req.params.mmsId ?? '', req.params.holdingId ?? '', req.params.itemPid ?? '');
      const request = core.store.requests.find(
        (r) => r.request_id === req.params.requestId && r.item_id === item.item_data.pid && isActiveRequest(r),
      );
      if (!request) throw notFound(req.params.requestId ?? '');
      return cancelRequest(req, core, request);
    },
  },
];
