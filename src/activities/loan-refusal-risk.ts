// What the preflight can tell, from the patron read it already makes, about a refusal of the API loan to come: Alma
// computes loan and fine limits only when a loan is attempted, and the API cannot override them. Fees owed are the
// usual cause for a patron whose lost loan was closed; staff learn it before the swap, and where the relink will ask
// them to loan at the desk.
import { z } from 'zod';
import type { AlmaUser } from '../alma';

const expandedCounts = z.looseObject({
  fees: z.looseObject({ value: z.number(), currency: z.string().nullish() }).nullish(),
});

export function loanRefusalWarnings(user: AlmaUser): string[] {
  const parsed = expandedCounts.safeParse(user);
  const fees = parsed.success ? parsed.data.fees : undefined;
  if (!fees || fees.value <= 0) return [];
  const owed = `${fees.value.toFixed(2)}${fees.currency ? ` ${fees.currency}` : ''}`;
  return [
    `The patron owes ${owed} in fines and fees: if that is over their fine limit, Alma will refuse the relink's ` +
      'loan, and the relink will then ask a staff member to loan the item at the desk with an override.',
  ];
}
