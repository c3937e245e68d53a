// Passing a webhook on to Temporal: one signal to one relink, or to each relink a visibility query lists. "Accepted"
// means Temporal took every signal (or had nothing to take it: a relink not running is not an error, since most of
// Alma's webhooks are about patrons with no relink). Anything else (Temporal away, a deadline passed) throws, and the
// listener answers 503 so that Alma sends the message again.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { almaEventSignal, type AlmaEvent } from '../contract';
import type { Target } from './route';

export interface Delivery {
  /** The relinks that took the signal. */
  signalled: number;
}

export class TemporalPasser {
  constructor(
    private readonly client: Client,
    /** How long one message's calls to Temporal may take in all before the listener gives up and answers 503. */
    private readonly timeoutMs: number,
  ) {}

  pass(target: Target, event: AlmaEvent): Promise<Delivery> {
    return this.client.connection.withDeadline(Date.now() + this.timeoutMs, () => this.#pass(target, event));
  }

  async #pass(target: Target, event: AlmaEvent): Promise<Delivery> {
    if ('workflowId' in target) return { signalled: (await this.#signal(target.workflowId, event)) ? 1 : 0 };
    let signalled = 0;
    for await (const execution of this.client.workflow.list({ query: target.query })) {
      if (await this.#signal(execution.workflowId, event, execution.runId)) signalled += 1;
    }
    return { signalled };
  }

  async #signal(workflowId: string, event: AlmaEvent, runId?: string): Promise<boolean> {
    try {
      await this.client.workflow.getHandle(workflowId, runId).signal(almaEventSignal, event);
      return true;
    } catch (err) {
      // Not running (never started, or ended since the listing): nothing to tell.
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }
}
