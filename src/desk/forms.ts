// Every form the desk takes: a url-encoded body of bounded size, and a CSRF token (csrf-sync's synchronizer token,
// kept in the signed session cookie) checked before the handler runs.
import express, { type RequestHandler, type Request } from 'express';
import { csrfSync } from 'csrf-sync';
import { sessionOf } from './auth/staff';

export interface Forms {
  /** Parses a url-encoded form body. */
  parse: RequestHandler;
  /** Refuses a form without the session's CSRF token (403). Runs after the body is parsed. */
  protect: RequestHandler;
  /** The token to put in a form's hidden _csrf field. */
  token(req: Request): string;
}

export function createForms(): Forms {
  const csrf = csrfSync({
    getTokenFromRequest: (req) => (req.body as { _csrf?: string } | undefined)?._csrf,
    getTokenFromState: (req) => sessionOf(req).csrfToken,
    storeTokenInState: (req, token) => {
      if (req.session) sessionOf(req).csrfToken = token;
    },
    errorConfig: {
      statusCode: 403,
      message: 'This form has expired or did not come from the desk. Reload the page and try again.',
    },
  });
  return {
    // A pasted batch travels in a form between its check and its start: 2 MB is far above 30 barcodes × many patrons.
    parse: express.urlencoded({ extended: false, limit: '2mb' }),
    protect: csrf.csrfSynchronisedProtection,
    token: (req) => csrf.generateToken(req),
  };
}
