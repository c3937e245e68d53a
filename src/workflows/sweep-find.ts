// relink sweep, the search, on the worker (the CLI has no Alma key): the patrons whose record carries the holding
// address, with the relinks their markers name. Ids only, so the history holds no patron's address or number.
import type { HoldingAddressFinding } from '../contract';
import { staffToolActivities } from './activity-proxies';

export async function sweepFind(input: { holdingEmail: string }): Promise<HoldingAddressFinding[]> {
  // One search and a read per patron found: minutes at most, even for a library with many left behind.
  return staffToolActivities('5 minutes').findHoldingAddresses(input);
}
