// relink doctor's check of ALMA_RATE_LIMIT against Alma's per-second thresholds (sandbox 10/s, production 25/s, or
// 50/s where Ex Libris raised it; the institution's, shared by every integration). No Alma answer tells a sandbox key
// from a production one, so a rate only production allows is a warning, and one above every threshold a problem.
import { rateLimitCheck } from '../../src/doctor/checks';

const rate = (limit: number, workers = 1) =>
  rateLimitCheck({ ALMA_RATE_LIMIT: limit, ALMA_RATE_LIMIT_WORKERS: workers });

describe("relink doctor's per-second rate", () => {
  it('the default, 10/s, fits a sandbox and production', () => {
    expect(rate(10)).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^10\/s: within a sandbox's 10\/s/) });
  });

  it('above a sandbox: a warning naming the sandbox value', () => {
    expect(rate(20)).toMatchObject({ status: 'warning', detail: expect.stringContaining('set ALMA_RATE_LIMIT=10') });
  });

  it("above production's 25/s: a warning, right only where Ex Libris raised it to 50/s", () => {
    expect(rate(40, 4)).toMatchObject({
      status: 'warning',
      detail: expect.stringMatching(/^40\/s \(4 workers, 10\/s each\): above production's 25\/s.*50\/s/),
    });
  });

  it('above every threshold: a problem', () => {
    expect(rate(60)).toMatchObject({
      status: 'problem',
      detail: expect.stringContaining('above every Alma threshold'),
    });
  });
});
