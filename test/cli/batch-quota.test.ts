// relink batch's plan against today's Alma quota: the estimate per patron, and which patrons fit above the floor.
import type { BatchRelink } from '../../src/cli/batch-file';
import { estimateCalls, overdueJobCost, planAgainstQuota } from '../../src/cli/batch-quota';

const relink = (patronId: string, items: number): BatchRelink => ({
  patronId,
  rows: Array.from({ length: items }, (_, i) => ({ line: 2 + i, patronId, barcode: `3900000000${i}` })),
});

describe('batch quota planning', () => {
  it('estimates a relink as the bench counts it: 13 for one item with the lookup, 7 a further item, 1 follow-up', () => {
    expect(estimateCalls(1)).toBe(14);
    expect(estimateCalls(3)).toBe(28);
  });

  it('adds the overdue-job mode: 2 calls an item for the due date, a swap re-read every lostPollMax of the wait', () => {
    // A 1-day threshold and a nightly job: up to 48 hours of waiting, a read every 30 minutes.
    const cost = overdueJobCost(48 * 3_600_000, 30 * 60_000);
    expect(cost).toEqual({ perItem: 2, perRelink: 96 });
    expect(estimateCalls(1, cost)).toBe(14 + 2 + 96);
    expect(estimateCalls(3, cost)).toBe(28 + 6 + 96);
    expect(planAgainstQuota([relink('a', 1)], { remaining: 5100, floor: 5000 }, cost).tomorrow).toHaveLength(1);
  });

  it('takes patrons in file order while they fit above the floor; the rest wait for tomorrow', () => {
    const relinks = [relink('a', 1), relink('b', 3), relink('c', 1), relink('d', 1)];
    const plan = planAgainstQuota(relinks, { remaining: 5045, floor: 5000 });
    expect(plan).toMatchObject({ needed: 70, available: 45, neededToday: 42 });
    expect(plan.today.map((r) => r.patronId)).toEqual(['a', 'b']);
    // c does not fit after a and b (42 + 14 > 45), and d waits behind it: the order of the file is kept.
    expect(plan.tomorrow.map((r) => r.patronId)).toEqual(['c', 'd']);
  });

  it('a reading below the floor starts nothing; no reading plans nothing away', () => {
    expect(planAgainstQuota([relink('a', 1)], { remaining: 4000, floor: 5000 })).toMatchObject({
      available: 0,
      today: [],
    });
    const unknown = planAgainstQuota([relink('a', 1)], { floor: 5000 });
    expect(unknown.available).toBeUndefined();
    expect(unknown.tomorrow).toEqual([]);
  });
});
