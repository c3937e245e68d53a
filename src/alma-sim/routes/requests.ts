// Requests: a patron's HOLD on an item (created by user path or item path), the item's queue, one request,
// and cancellation, which sends the cancellation letter unless notify_user=false.
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

function createRequest(req: ApiRequest, core: SimCore, user: UserRecord, item: ItemRecord) {
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
  const queue = store.requestsOn(item);
  if (queue.some((r) => r.user_primary_id === user.primary_id)) {
    throw almaError('401136', 'Failed to save the request: Patron has active request for selected item.');
  }
  if (store.activeLoanOn(item)?.user_id === user.primary_id) {
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
    item_id: item.item_data.pid,
    barcode: item.item_data.barcode,
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
  const item = store.itemByPid(request.item_id);
  if (item) store.renumberQueue(item);
  const requester = store.findUser(request.user_primary_id, 'primary_id');
  if (notify && requester) {
    notices.send(LETTERS.cancelRequest, requester, {
      request_id: request.request_id,
      item_barcode: item?.item_data.barcode,
      title: item?.bib_data.title,
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
      if (!pid && req.query.mms_id) {
        throw almaError('60331', 'Failed to create request. (title-level requests are not simulated: send item_pid)');
      }
      if (!pid) throw err.badParameter('item_pid (or mms_id) is mandatory.');
      const item = core.store.itemByPid(pid);
      if (!item || (req.query.mms_id && req.query.mms_id !== item.bib_data.mms_id)) {
        throw almaError('60328', 'Item for request was not found.');
      }
      return createRequest(req, core, user, item);
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
      return createRequest(req, core, user, item);
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
