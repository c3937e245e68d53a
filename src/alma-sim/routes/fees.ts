// Fines and fees: the list by status (with total_sum and currency) and one fee. For these operations the
// OpenAPI documents an unknown user as 401651 "Identifier not found".
import { almaError } from '../errors';
import type { UserRecord } from '../fixtures';
import type { SimStore } from '../store';
import { CURRENCY } from '../vocab';
import type { ApiRequest, RouteDef } from './types';
import { listBody, oneOf } from './util';

function feeUser(req: ApiRequest, store: SimStore): UserRecord {
  const user = store.findUser(req.params.user_id ?? '', req.query.user_id_type || 'all_unique');
  if (!user) throw almaError('401651', 'Identifier not found.');
  return user;
}

export const feeRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/almaws/v1/users/{user_id}/fees',
    query: ['user_id_type', 'status'],
    handler(req, { store }) {
      const user = feeUser(req, store);
      const status = oneOf(req, 'status', ['ACTIVE', 'INDISPUTE', 'EXPORTED', 'CLOSED'], 'ACTIVE');
      const fees = store.fees.filter((f) => store.feeUserId(f) === user.primary_id && f.status.value === status);
      const totalSum = fees.reduce((sum, f) => sum + (f.balance ?? 0), 0);
      const body = listBody(
        'fee',
        fees.map((f) => store.feeView(f, req.baseUrl)),
        fees.length,
        { total_sum: totalSum, currency: CURRENCY },
      );
      return { status: 200, body };
    },
  },
  {
    method: 'GET',
    path: '/almaws/v1/users/{user_id}/fees/{fee_id}',
    query: ['user_id_type'],
    handler(req, { store }) {
      const user = feeUser(req, store);
      const fee = store.fees.find((f) => f.id === req.params.fee_id && store.feeUserId(f) === user.primary_id);
      if (!fee) throw almaError('401665', 'Fine not found.');
      return { status: 200, body: store.feeView(fee, req.baseUrl) };
    },
  },
];
