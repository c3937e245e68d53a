// After "Proceed" the relink reads the request queues in Alma again. When another patron's request is still there it
// asks for the review again, and the card would vanish and come back without a word: the desk waits for that re-read
// (a few seconds) and says what it found.
import type { RelinkClient, RelinkProgress } from '../client';

/** How long the page waits for the re-read before it answers anyway. */
const REREAD_MS = 10_000;
const POLL_MS = 300;

type Reread = 'still-requested' | 'moved-on' | 'pending';

/** What the relink found since the last "Staff decided to proceed" line of its audit. */
export function rereadOf(p: RelinkProgress): Reread {
  const decided = p.audit.map((a) => a.message.startsWith('Staff decided to proceed')).lastIndexOf(true);
  if (p.step !== 'request-review' || (p.awaiting !== 'none' && p.awaiting !== 'request-review')) return 'moved-on';
  if (decided >= 0 && p.awaiting === 'request-review' && decided < p.audit.length - 1) return 'still-requested';
  return 'pending';
}

export async function afterProceed(relinks: RelinkClient, workflowId: string, received: string): Promise<string> {
  const deadline = Date.now() + REREAD_MS;
  for (;;) {
    const progress = await relinks.progress(workflowId, { timeoutMs: 5_000 }).catch(() => undefined);
    const found = progress ? rereadOf(progress) : 'pending';
    if (found === 'still-requested') {
      return (
        "Proceed: the relink read the request queue in Alma again, and another patron's request is still there, so " +
        'nothing was scanned in. It waits for your request review again: cancel or move that request in Alma ' +
        '(Fulfillment > Manage Requests), then press Proceed again.'
      );
    }
    if (found === 'moved-on')
      return 'Proceed: the relink read the request queue in Alma again and found it clear: it goes on.';
    if (Date.now() > deadline) return `${received} This page shows what it found once it has.`;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
