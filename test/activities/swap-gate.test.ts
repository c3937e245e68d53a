// The worker's admission to the swap: at most `capacity` relinks between swap and loan, served in arrival order; a
// permit given back or lapsed lets the next one in; a retry keeps its place; nothing outlives its lease.
import { SwapGate, SwapGateGaveUp } from '../../src/activities/swap-gate';

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SwapGate', () => {
  it('admits up to its capacity, then one for each permit given back, in arrival order', async () => {
    const gate = new SwapGate({ capacity: 2, leaseMs: 60_000 });
    const admitted: string[] = [];
    const enter = (key: string) => gate.enter(key).then(() => admitted.push(key));
    void ['a', 'b', 'c', 'd'].map(enter);
    await tick();
    expect(admitted).toEqual(['a', 'b']);
    expect(gate.waiting).toBe(2);
    gate.leave('b');
    await tick();
    expect(admitted).toEqual(['a', 'b', 'c']);
    gate.leave('nobody'); // holds no permit: nothing changes
    await tick();
    expect(admitted).toEqual(['a', 'b', 'c']);
    gate.leave('a');
    await tick();
    expect(admitted).toEqual(['a', 'b', 'c', 'd']);
    expect(gate.holding).toBe(2);
  });

  it('a holder entering again (a retried swap) passes at once and takes no second permit', async () => {
    const gate = new SwapGate({ capacity: 1, leaseMs: 60_000 });
    await gate.enter('a');
    await gate.enter('a');
    expect(gate.holding).toBe(1);
  });

  it('a permit never given back (a crash, a loan on another worker) lapses after its lease', async () => {
    const gate = new SwapGate({ capacity: 1, leaseMs: 150 });
    await gate.enter('a');
    const began = performance.now();
    await gate.enter('b');
    const waited = performance.now() - began;
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(1000);
  });

  it('a wait past the deadline gives up, and its retry keeps its place ahead of later arrivals', async () => {
    const gate = new SwapGate({ capacity: 1, leaseMs: 60_000 });
    await gate.enter('holder');
    const early = gate.enter('early', { maxWaitMs: 30 });
    const admitted: string[] = [];
    void gate.enter('later').then(() => admitted.push('later'));
    await expect(early).rejects.toEqual(new SwapGateGaveUp('deadline', 0));
    void gate.enter('early').then(() => admitted.push('early'));
    gate.leave('holder');
    await tick();
    expect(admitted).toEqual(['early']);
  });

  it('a cancelled wait leaves the line at once', async () => {
    const gate = new SwapGate({ capacity: 1, leaseMs: 60_000 });
    await gate.enter('holder');
    const step = new AbortController();
    const waiting = gate.enter('x', { signal: step.signal });
    step.abort();
    await expect(waiting).rejects.toMatchObject({ reason: 'aborted' });
    expect(gate.waiting).toBe(0);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new SwapGate({ capacity: 0, leaseMs: 1000 })).toThrow(RangeError);
  });
});
