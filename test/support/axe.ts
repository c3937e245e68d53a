// axe-core run inside the page the browser shows (playwright-core has no accessibility checker of its own): each page
// state a desk test reaches is checked against WCAG 2.1 A and AA, and a violation fails the test with what and where.
// axe-core is a dev dependency: a checkout without it fails the check rather than skip it.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

let source: string | undefined;

const axeSource = (): string => (source ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));

interface Violation {
  id: string;
  help: string;
  nodes: string[];
}

/** Runs axe-core on the page as it is now; throws listing every violation, with `state` naming the page state. */
export async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  const axe = axeSource();
  // Through the DevTools protocol, not a <script> tag: the desk's CSP allows only its own scripts.
  await page.evaluate(axe);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })` +
      `.then((r) => r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })))`,
  )) as Violation[];
  if (violations.length) {
    const list = violations.map((v) => `  ${v.id}: ${v.help} (${v.nodes.join(', ')})`).join('\n');
    throw new Error(`${state}: axe-core found ${violations.length} violation(s):\n${list}`);
  }
}
