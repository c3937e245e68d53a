// A relink's page says how far it got, in words as well as colour: a relink that failed at the preflight, or at the
// loan with the item already scanned in, shows the step where it failed and the steps after it not reached (it
// showed every step reached, Lost and Done included). In chromium, with axe-core on each page.
import type { BrowserContext, Page } from 'playwright-core';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { expectNoAxeViolations } from '../support/axe';
import { debianTool } from '../support/debian-package';
import type { RelinkHarness } from '../support/relink-harness';
import type { TestDesk } from './desk-support';
import { startDeskInChromium, type DeskInChromium } from './desk-in-chromium';

const chromiumTool = debianTool('chromium', 'chromium');
const describeWithBrowser = 'skip' in chromiumTool ? describe.skip : describe;
if ('skip' in chromiumTool) console.warn(`Desk steps test skipped: ${chromiumTool.skip}`);

describeWithBrowser("a failed relink's steps", () => {
  let h: RelinkHarness;
  let desk: TestDesk;
  let browser: BrowserContext;
  let setUp: DeskInChromium | undefined;

  beforeAll(async () => {
    setUp = await startDeskInChromium(
      fixturesWith({ users: ['steps.pre', 'steps.loan'].map((id) => patron(id)), items: [item('48700000002')] }),
      {
        chromiumPath: 'path' in chromiumTool ? chromiumTool.path : '/usr/bin/chromium',
        profilePrefix: 'relink-desk-steps-',
      },
    );
    ({ h, desk, browser } = setUp);
  }, 240_000);

  afterAll(async () => setUp?.close());

  async function stepsOf(page: Page, workflowId: string): Promise<string[]> {
    await page.goto(`${desk.url}/relinks/${workflowId}`);
    return page.locator('ol.steps li').allInnerTexts();
  }

  const ended = (workflowId: string) =>
    h.temporal.client.workflow
      .getHandle(workflowId)
      .result()
      .catch(() => undefined);

  it('shows a relink that failed at the preflight as failed there, and nothing after it reached', async () => {
    // An item Alma does not have: the preflight refuses it before anything is written.
    const started = await h.relinks.start(relinkInput('steps.pre', ['48700000001']));
    await ended(started.workflowId);
    const page = await browser.newPage();
    expect(await stepsOf(page, started.workflowId)).toEqual([
      '✗ Check patron and items: failed here',
      'Request review: not reached',
      'Email to the holding address: not reached',
      'Scan in: not reached',
      'Loan: not reached',
      'Lost: not reached',
      'Email restored: not reached',
      'Done: not reached',
    ]);
    await expectNoAxeViolations(page, 'relink failed at the preflight');
  });

  it('shows a relink that failed at the loan, the item scanned in, as failed at the loan, its email restored', async () => {
    h.sim.setFaults({
      rules: [
        {
          method: 'POST',
          path: '/users/steps\\.loan/loans',
          action: 'error',
          status: 400,
          errorCode: '401153',
          errorMessage: 'Item cannot be loaned.',
          times: 100,
        },
      ],
    });
    try {
      const started = await h.relinks.start(relinkInput('steps.loan', ['48700000002']));
      await ended(started.workflowId);
      const page = await browser.newPage();
      expect(await stepsOf(page, started.workflowId)).toEqual([
        '✓ Check patron and items: reached',
        '✓ Request review: reached',
        '✓ Email to the holding address: reached',
        '✓ Scan in: reached',
        '✗ Loan: failed here',
        'Lost: not reached',
        '✓ Email restored: reached',
        'Done: not reached',
      ]);
      await expectNoAxeViolations(page, 'relink failed at the loan');
    } finally {
      h.sim.setFaults({});
    }
  });
});
