// Alma code-table values the simulator writes, with the descriptions Alma shows next to them.

export const BASE_STATUS = {
  IN_PLACE: { value: '1', desc: 'Item in place' },
  NOT_IN_PLACE: { value: '0', desc: 'Item not in place' },
} as const;

// PROCESSTYPE code table (subset). An empty value means "no process": Alma sends desc null then.
export const PROCESS_TYPE_DESC: Record<string, string> = {
  LOAN: 'Loan',
  LOST_LOAN: 'Lost',
  LOST_LOAN_AND_PAID: 'Lost and paid',
  MISSING: 'Missing',
  TRANSIT: 'Transit',
  HOLDSHELF: 'Hold Shelf',
  // [INFERRED] code: an item scanned in for a request at a desk with hold-shelf processing, not yet on the shelf.
  HOLD_SHELF_PROCESSING: 'Hold Shelf Processing',
  REQUESTED: 'Requested',
  CLAIM_RETURNED_LOAN: 'Claimed returned',
  TECHNICAL: 'Technical - Migration',
  ACQ: 'Acquisition',
  ILL: 'Resource Sharing Request',
};

export function processType(value: string): { value: string; desc: string | null } {
  return { value, desc: value ? (PROCESS_TYPE_DESC[value] ?? value) : null };
}

/** Process types a loan can be made from (the item is at the desk). Anything else: "Item is not loanable". */
export const LOANABLE_PROCESS_TYPES = new Set(['', 'HOLDSHELF', 'REQUESTED']);

export const REQUEST_ACTIVE_STATUSES = new Set(['NOT_STARTED', 'IN_PROCESS', 'ON_HOLD_SHELF']);
/** Where a request goes when it leaves the active queue (cancelled or fulfilled). */
export const REQUEST_HISTORY_STATUS = 'HISTORY';

export const PATRON_PHYSICAL = { value: 'PATRON_PHYSICAL', desc: 'Patron physical item request' } as const;

export const FEE_STATUS_DESC: Record<string, string> = {
  ACTIVE: 'Active',
  INDISPUTE: 'In dispute',
  EXPORTED: 'Exported',
  CLOSED: 'Closed',
};

export const LOST_ITEM_REPLACEMENT_FEE = {
  value: 'LOSTITEMREPLACEMENTFEE',
  desc: 'Lost item replacement fee',
} as const;
export const DEFAULT_LOST_FEE_AMOUNT = 85;
export const CURRENCY = 'USD';

/** Alma's default loan period for the simulated terms of use. */
export const LOAN_PERIOD_DAYS = 28;

// EmailTypes code table as shipped by Alma (an institution may change it: the emailTypes setting); a PUT with another
// type is refused (401864).
export const EMAIL_TYPES: readonly string[] = ['personal', 'work', 'school', 'alternative'];

/**
 * The loan process statuses (the "Loan Process Status Search Column" table; Analytics shows Normal, Lost, Claimed
 * return, Recall, Renew). The codes are [INFERRED]: the Lost one is the simulator's lostProcessStatus setting.
 */
export const LOAN_PROCESS_STATUS_TABLE = 'LoanProcessStatusSearchColumn';
export const LOAN_PROCESS_STATUS_ROWS = (lostCode: string): Array<{ code: string; description: string }> => [
  { code: 'NORMAL', description: 'Normal' },
  { code: lostCode, description: 'Lost' },
  { code: 'CLAIMED_RETURN', description: 'Claimed return' },
  { code: 'RECALL', description: 'Recall' },
  { code: 'RENEW', description: 'Renew' },
];
