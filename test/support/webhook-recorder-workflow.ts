// A stand-in relink for the webhook listener's tests: registered under the relink's workflow type, with its search
// attributes, it records every almaEvent signal it receives (the real relink's handler is the lead's, issue 27 item 2).
import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import { almaEventSignal, type AlmaEvent } from '../../src/contract';

export const almaEventsQuery = defineQuery<AlmaEvent[]>('almaEvents');
export const stopSignal = defineSignal('stop');

export async function relinkLostLoans(): Promise<AlmaEvent[]> {
  const events: AlmaEvent[] = [];
  let stopped = false;
  setHandler(almaEventSignal, (event) => void events.push(event));
  setHandler(almaEventsQuery, () => events);
  setHandler(stopSignal, () => void (stopped = true));
  await condition(() => stopped);
  return events;
}
