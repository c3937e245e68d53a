// Every /almaws/v1 call received, in arrival order, with the status it got. Tests use it to prove what the
// client did (and did not) send. The API key never reaches the log: an apikey query parameter is masked.
export interface SimCall {
  seq: number;
  method: string;
  /** Path and query string as received, apikey masked. */
  path: string;
  /** The HTTP status sent; 0 while in flight, or when a fault dropped the connection. */
  status: number;
  /** Arrival time, ISO 8601. */
  at: string;
  /** The fault that decided the answer, if one did (e.g. 'rule#0:error', 'errorRate', 'perSecondLimit'). */
  fault?: string;
}

export function maskApiKey(pathWithQuery: string): string {
  return pathWithQuery.replace(/([?&]apikey=)[^&#]*/gi, '$1***');
}

export class CallLog {
  private list: SimCall[] = [];

  start(method: string, pathWithQuery: string, at: Date): SimCall {
    const call: SimCall = {
      seq: this.list.length + 1,
      method,
      path: maskApiKey(pathWithQuery),
      status: 0,
      at: at.toISOString(),
    };
    this.list.push(call);
    return call;
  }

  /** Copies of the calls from the `from`-th on (0: all): a watcher polling the log copies only what is new. */
  all(from = 0): SimCall[] {
    return this.list.slice(from).map((c) => ({ ...c }));
  }

  clear(): void {
    this.list = [];
  }
}
