// Which loan process status means Lost. Alma documents only that the codes come from its "Loan Process Status Search
// Column" code table (rest_item_loan.xsd); the API code itself is not documented. A library names it with
// ALMA_LOST_PROCESS_STATUS, which `relink doctor` checks against that code table; unset, the likely codes are taken.
import type { AlmaCodeTableRow } from '../alma';
import { normaliseStatus } from './item-state';

/**
 * The code table's name in GET /conf/code-tables/{name}: [INFERRED] from its display name, as Alma names its tables
 * (EmailTypes, UserIdentifierTypes). `relink doctor` says so when Alma knows no such table.
 */
export const LOAN_PROCESS_STATUS_TABLE = 'LoanProcessStatusSearchColumn';

/** Without a setting: LOST is the likely code, LOST_LOAN the item's process type; "Lost" (a display string) reads LOST. */
export const DEFAULT_LOST_PROCESS_STATUSES: readonly string[] = ['LOST', 'LOST_LOAN'];

/** The process statuses that confirm a Lost click: the one the library named, or the likely ones. */
export function lostProcessStatuses(setting?: string): ReadonlySet<string> {
  return new Set((setting ? [setting] : DEFAULT_LOST_PROCESS_STATUSES).map(normaliseStatus));
}

/** Whether a loan's process_status reads Lost, by `statuses` (lostProcessStatuses). */
export function readsLost(statuses: ReadonlySet<string>, loan: { process_status?: unknown } | undefined): boolean {
  return statuses.has(normaliseStatus(loan?.process_status as string | undefined));
}

/** The row of the code table that means Lost: its description reads Lost (institutions may rename codes, not meanings). */
export function lostRowOf(rows: readonly AlmaCodeTableRow[]): AlmaCodeTableRow | undefined {
  return (
    rows.find((r) => normaliseStatus(r.description ?? '') === 'LOST') ??
    rows.find((r) => DEFAULT_LOST_PROCESS_STATUSES.includes(normaliseStatus(r.code)))
  );
}
