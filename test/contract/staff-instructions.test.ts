// The instructions a waiting relink gives are built once, as steps, and worded per place (issue 25): the desk names
// the buttons it shows for that wait, the CLI the commands, the Web UI both; times in the place's time zone; no
// internal code in the desk's words.
import { instructionsText, type Awaiting, type StaffInstructions } from '../../src/contract';
import { actionsFor } from '../../src/desk/actions';
import { timeFormat } from '../../src/desk/words';
import {
  lostInstructions,
  lostJobInstructions,
  overdueInstructions,
  quietPeriodInstructions,
  refusedRestoreInstructions,
  refusedReturnInstructions,
  reviewInstructions,
  staffLoanInstructions,
} from '../../src/workflows/instructions';

const ID = 'relink-p.jones';
const loans = [{ barcode: '39000000001', title: 'A title', loanId: '7320000010101' }];
const WAITS: [Exclude<Awaiting, 'none'>, StaffInstructions][] = [
  ['request-review', reviewInstructions('39000000001 ("A title"): request 1 (HOLD, NOT_STARTED)', 'p.jones')],
  ['lost-declaration', lostInstructions(loans, 'p.jones', '7 days')],
  ['lost-declaration', lostInstructions(loans, 'p.jones', '7 days', true)],
  ['overdue', overdueInstructions(loans, 'p.jones', '7 days', new Date('2026-12-20T15:30:00Z'))],
  ['lost-job', lostJobInstructions(loans, 'p.jones', '2026-12-07T06:00:00.000Z')],
  ['quiet-period', quietPeriodInstructions('2026-12-08T02:00:00Z')],
  ['return-refused', refusedReturnInstructions([{ ...loans[0]!, cause: 'Alma error 402502' }], 'p.jones')],
  ['staff-loan', staffLoanInstructions(loans[0]!, 'p.jones', 'API Restricted by library', '2026-12-20T15:30:00.000Z')],
  ['restore-refused', refusedRestoreInstructions('p.jones', 'Alma refuses', { marker: '[m]', smsTypes: [] })],
];
const CODES = /\b(request-review|lost-declaration|lost-job|quiet-period|return-refused|staff-loan|restore-refused)\b/;
const chicago = timeFormat('America/Chicago');

describe.each(WAITS)('the %s wait', (awaiting, instructions) => {
  const answers = [
    ...instructions.choices.flatMap((c) => (c.answer ? [c.answer] : [])),
    ...(instructions.also ?? []).map((a) => a.answer),
  ];

  it('names on the desk only buttons the desk shows for it, and no command or code', () => {
    const desk = instructionsText(instructions, { place: 'desk', workflowId: ID, time: chicago });
    const offered = actionsFor(awaiting);
    for (const answer of answers) {
      const action = offered.find((a) => a.id === answer);
      expect(action).toBeDefined();
      expect(desk.toLowerCase()).toContain(`press "${action!.label}"`.toLowerCase());
    }
    expect(desk).not.toMatch(/relink (confirm-lost|review|cancel|restore-now)|run:/);
    expect(desk).not.toMatch(CODES);
    // "Choose one" only before numbered choices.
    expect(desk).not.toMatch(/Choose one: (?!\(1\))/);
    expect(desk).not.toMatch(/\d{4}-\d\d-\d\dT|UTC/);
  });

  it('names in the CLI the commands, and in the Web UI both', () => {
    const cli = instructionsText(instructions, { place: 'cli', workflowId: ID });
    const webUi = instructionsText(instructions, { place: 'web-ui', workflowId: ID });
    expect(cli).not.toMatch(/press "/);
    for (const answer of answers) {
      const label = actionsFor(awaiting).find((a) => a.id === answer)!.label;
      expect(cli).toMatch(new RegExp(`run: relink \\S+ ${ID}`));
      expect(webUi.toLowerCase()).toContain(`press "${label}" on the desk, or run: relink`.toLowerCase());
    }
  });
});

describe('times', () => {
  it('are shown in the library’s time zone on the desk and in UTC in the CLI', () => {
    const overdue = overdueInstructions(loans, 'p.jones', '7 days', new Date('2026-12-20T15:30:00Z'));
    expect(instructionsText(overdue, { place: 'desk', workflowId: ID, time: chicago })).toContain(
      'The holding address stays until 20 Dec 2026, 09:30:00 CST.',
    );
    expect(instructionsText(overdue, { place: 'cli', workflowId: ID })).toContain(
      'The holding address stays until 2026-12-20 15:30 UTC.',
    );
  });
});

describe('the wording', () => {
  it('reads as one set of steps: a single way, several to choose from, and the other answers after', () => {
    const staffLoan = staffLoanInstructions(loans[0]!, 'p.jones', 'API Restricted', '2026-12-20T15:30:00.000Z');
    expect(instructionsText(staffLoan, { place: 'desk', workflowId: ID, time: chicago })).toBe(
      `Alma refused the relink's loan of 39000000001 ("A title"): API Restricted. The item is scanned in and the ` +
        'holding address stays, so the loan receipt goes there. In Alma: Fulfillment > Manage Patron Services, patron ' +
        'p.jones, scan barcode 39000000001 to loan it; if Alma asks, override the block or limit, then press "I loaned ' +
        'it at the desk in Alma". (The relink also checks Alma by itself, until 20 Dec 2026, 09:30:00 CST.) To give ' +
        'up on this item instead, press "Give up on this item".',
    );
    const overdue = overdueInstructions(loans, 'p.jones', '7 days', new Date('2026-12-20T15:30:00Z'));
    expect(instructionsText(overdue, { place: 'cli', workflowId: ID })).toMatch(
      /Choose one: \(1\) In Alma: .* choose "Lost", then run: relink confirm-lost relink-p\.jones\. \(2\) Run: relink cancel relink-p\.jones\. The relink returns the loans .* \(3\) Run: relink cancel relink-p\.jones --keep-loans --by <your name>\. The loans stay/,
    );
  });
});
