// Alma-shaped objects for the client's unit tests, taken from fixtures/alma-example.json.
import example from '../../fixtures/alma-example.json';

export const API_KEY = 'l8xx-test-secret-key-7f3c9a1e5b2d';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export const sampleUser = () => clone(example.users[1]!);
export const sampleItem = () => clone(example.items[0]!);
export const sampleLoan = () => clone(example.loans[0]!);
export const sampleRequest = () => clone(example.requests[0]!);
export const sampleFee = () => clone(example.fees[0]!);

export const itemPathOf = (item: ReturnType<typeof sampleItem>) =>
  `/almaws/v1/bibs/${item.bib_data.mms_id}/holdings/${item.holding_data.holding_id}/items/${item.item_data.pid}`;

/** `n` distinct loans for paging tests. */
export const manyLoans = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ ...sampleLoan(), loan_id: `73${String(i).padStart(8, '0')}` }));

/** Answers a paged Alma list the way Alma does: at most `maxPage` (and at most `limit`, default 10) per page. */
export function pageOf<T>(records: T[], query: URLSearchParams, key: string, maxPage = 100) {
  const limit = Math.min(Number(query.get('limit') ?? 10), maxPage);
  const offset = Number(query.get('offset') ?? 0);
  const page = records.slice(offset, offset + limit);
  return page.length > 0 ? { [key]: page, total_record_count: records.length } : { total_record_count: records.length };
}
