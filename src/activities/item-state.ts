// Which item states a relink may start from. A closed lost loan leaves the item missing, lost-and-paid or,
// if it was found and shelved, in place; anything on loan or in another workflow is someone else's business.

const onLoan = new Set(['LOAN', 'LOST_LOAN', 'CLAIM_RETURNED_LOAN', 'CLAIMED_RETURN_LOAN', 'ILL']);
const relinkable = new Set(['', 'MISSING', 'LOST_LOAN_AND_PAID', 'LOST_AND_PAID', 'REQUESTED']);

export type ItemStateVerdict = 'relinkable' | 'on-loan' | 'not-relinkable';

export function classifyProcessType(processType: string | null | undefined): ItemStateVerdict {
  const code = (processType ?? '').trim().toUpperCase();
  if (onLoan.has(code)) return 'on-loan';
  return relinkable.has(code) ? 'relinkable' : 'not-relinkable';
}

/** After a scan-in the item is back in place: no longer missing or lost. */
export function isBackInPlace(baseStatus: string | undefined, processType: string | null | undefined): boolean {
  const code = (processType ?? '').trim().toUpperCase();
  return baseStatus === '1' && (code === '' || code === 'REQUESTED' || code === 'HOLDSHELF');
}

/** Request statuses come as codes or display strings depending on the endpoint: compare normalised. */
export function normaliseStatus(status: string | null | undefined): string {
  return (status ?? '').trim().toUpperCase().replace(/\s+/g, '_');
}
