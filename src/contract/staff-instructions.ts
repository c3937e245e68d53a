// What a waiting relink asks of staff, built once by the workflow as structured steps and worded by each place that
// shows it: the desk names its buttons, the CLI its commands, the Temporal Web UI both. Times stay moments (ISO) until
// a place shows them in its own time zone. Pure: the workflow, the desk and the CLI all use it.
import type { Awaiting } from './types';

/** A moment in staff text: each place shows it in its time zone. */
export interface TextMoment {
  at: string;
}
/** Staff text: words and moments. */
export type StaffText = readonly (string | TextMoment)[];

/**
 * How staff tell the relink they acted, or what they decide. The ids are the desk's buttons (POST /relinks/<id>/<answer>).
 */
export type StaffAnswer =
  | 'confirm-lost'
  | 'returned-in-alma'
  | 'loaned-at-desk'
  | 'proceed'
  | 'abort'
  | 'give-up-loan'
  | 'return-loans'
  | 'keep-loans'
  | 'restore-now';

/** One way out of the wait: what to do first (in Alma, mostly), the answer that tells the relink, what follows. */
export interface StaffChoice {
  act?: StaffText;
  answer?: StaffAnswer;
  /** Said after the answer, a sentence of its own: what the relink then does. */
  then?: StaffText;
}

export interface StaffInstructions {
  /** Why the relink waits. */
  situation?: StaffText;
  /** One: do it. Several: "Choose one", numbered. */
  choices: StaffChoice[];
  /** What the relink does meanwhile by itself. */
  note?: StaffText;
  /** Other answers, each after its occasion: "To give up on this item instead, press …". */
  also?: { when: StaffText; answer: StaffAnswer }[];
}

/** The desk's button for each answer: the desk's buttons carry these labels, and the Web UI names them. */
export const ANSWER_BUTTONS: Record<StaffAnswer, string> = {
  'confirm-lost': 'I clicked Lost',
  'returned-in-alma': 'I returned it (or clicked Lost) in Alma',
  'loaned-at-desk': 'I loaned it at the desk in Alma',
  proceed: 'Proceed',
  abort: 'Abort',
  'give-up-loan': 'Give up on this item',
  'return-loans': 'Return the loans',
  'keep-loans': 'Keep the loans (letters then reach the patron)',
  'restore-now': "Restore the patron's email now",
};

/** The CLI command for each answer. */
export function answerCommand(answer: StaffAnswer, workflowId: string): string {
  switch (answer) {
    case 'confirm-lost':
    case 'returned-in-alma':
    case 'loaned-at-desk':
      return `relink confirm-lost ${workflowId}`;
    case 'proceed':
      return `relink review ${workflowId} --proceed`;
    case 'abort':
    case 'give-up-loan':
      return `relink review ${workflowId} --abort`;
    case 'return-loans':
      return `relink cancel ${workflowId}`;
    case 'keep-loans':
      return `relink cancel ${workflowId} --keep-loans --by <your name>`;
    case 'restore-now':
      return `relink restore-now ${workflowId}`;
  }
}

/** What a relink waits for, in staff words (the desk's Find page, the Web UI's summary). */
export const AWAITING_WORDS: Record<Exclude<Awaiting, 'none'>, string> = {
  'request-review': 'a request review',
  'lost-declaration': 'a Lost click',
  overdue: 'a decision on overdue loans',
  'quiet-period': 'the quiet period to end',
  'return-refused': 'a return in Alma (Alma refused it)',
  'lost-job': "Alma's Overdue and Lost Loan job",
  'staff-loan': 'a loan at the desk in Alma',
  'restore-refused': 'a corrected patron record (Alma refuses the restore)',
};

/** Where the instructions are shown. */
export type InstructionsPlace = 'desk' | 'cli' | 'web-ui';

/** `words\`… until ${at(iso)}\`` builds staff text whose moments each place formats. */
export function words(parts: TemplateStringsArray, ...values: (string | number | TextMoment)[]): StaffText {
  const text: (string | TextMoment)[] = [];
  parts.forEach((part, i) => {
    if (part) text.push(part);
    if (i < values.length) {
      const value = values[i]!;
      text.push(typeof value === 'object' ? value : String(value));
    }
  });
  return text;
}

export const at = (iso: string): TextMoment => ({ at: iso });

/** "2026-12-06 11:00 UTC": the Web UI's (and a place without a time zone's) way to show a moment. */
export const utcMinutes = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

const textOf = (text: StaffText | undefined, time: (iso: string) => string): string =>
  (text ?? []).map((p) => (typeof p === 'string' ? p : time(p.at))).join('');

function answerWords(answer: StaffAnswer, place: InstructionsPlace, workflowId: string): string {
  const button = `press "${ANSWER_BUTTONS[answer]}"`;
  const command = `run: ${answerCommand(answer, workflowId)}`;
  if (place === 'desk') return button;
  if (place === 'cli') return command;
  return `${button} on the desk, or ${command}`;
}

/** The instructions in one place's words: which button to press on the desk, which command to run in the CLI. */
export function instructionsText(
  instructions: StaffInstructions,
  {
    place,
    workflowId,
    time = utcMinutes,
  }: { place: InstructionsPlace; workflowId: string; time?: (iso: string) => string },
): string {
  const choice = (c: StaffChoice): string => {
    const act = textOf(c.act, time);
    const answer = c.answer ? answerWords(c.answer, place, workflowId) : '';
    const first = act && answer ? `${act}, then ${answer}` : act || (answer && capital(answer));
    const then = textOf(c.then, time);
    return [first && `${first}.`, then].filter(Boolean).join(' ');
  };
  const choices =
    instructions.choices.length <= 1
      ? instructions.choices.map(choice).join('')
      : 'Choose one: ' + instructions.choices.map((c, i) => `(${i + 1}) ${choice(c)}`).join(' ');
  const also = (instructions.also ?? []).map(
    (a) => `${textOf(a.when, time)}, ${answerWords(a.answer, place, workflowId)}.`,
  );
  return [textOf(instructions.situation, time), choices, textOf(instructions.note, time), ...also]
    .filter(Boolean)
    .join(' ');
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
