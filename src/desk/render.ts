// Pages from Eta templates in views/, escaped by default. Every page gets the staff member, the CSRF token for its
// forms and the flash message of the last action.
import path from 'node:path';
import type { Request, Response } from 'express';
import { Eta } from 'eta';
import { PROJECT_ROOT } from '../project-root';
import { sessionOf } from './auth/staff';
import { almaIdWords, endedWords, outcomeWords, phaseWords, stepWords } from './words';

const words = { step: stepWords, phase: phaseWords, outcome: outcomeWords, ended: endedWords, almaId: almaIdWords };

// From the checkout (or the image's /app), so the compiled desk in dist/ finds the same templates.
const eta = new Eta({ views: path.join(PROJECT_ROOT, 'src', 'desk', 'views'), autoEscape: true, cache: true });

export interface PageData {
  req: Request;
  res: Response;
  title: string;
  [key: string]: unknown;
}

export function render(view: string, { req, res, ...data }: PageData): string {
  const session = sessionOf(req);
  // The home page's refresh (a fragment) leaves the message of the last action to the next full page.
  const flash = data.fragment ? undefined : session.flash;
  if (flash) delete session.flash;
  return eta.render(`./${view}`, {
    ...data,
    staff: res.locals.staff as string | undefined,
    // The app puts the CSRF token's maker in res.locals (forms.ts).
    csrf: (res.locals.csrfToken as (() => string) | undefined)?.() ?? '',
    flash,
    path: req.path,
    // Times in the library's time zone (app.ts), codes in staff words (words.ts).
    when: (res.locals.when as ((iso: string) => string) | undefined) ?? ((iso: string) => iso),
    words,
  });
}
