// The signed-in staff member: how sign-in is configured, the name's rules, the session's shape, and a refusal.
import type { Request } from 'express';
import { z } from 'zod';

export type DeskAuth =
  | { kind: 'dev' }
  | { kind: 'proxy'; header: string; trustedProxies: string[] }
  | {
      kind: 'oidc';
      issuer: string;
      clientId: string;
      clientSecret: string;
      publicUrl: string;
      userClaim: string;
      /** The TLS-terminating reverse proxy in front: its X-Forwarded-Proto/-For are believed, nobody else's. */
      trustedProxies?: string[];
    };

/** A staff member's name as the audit records it: what a directory or an IdP calls a user, nothing more. */
export const staffNameSchema = z
  .string()
  .trim()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._@'-]{0,99}$/u, "a name of letters, digits and . _ @ ' - (at most 100)");

export interface DeskSession {
  /** The signed-in session's id: live only while the session store holds it (sessions/index.ts). */
  sid?: string;
  staff?: string;
  csrfToken?: string | null;
  flash?: string;
  oidc?: { state: string; verifier: string };
}

export const sessionOf = (req: Request): DeskSession => (req.session ?? {}) as DeskSession;

export class AccessRefused extends Error {
  constructor(
    readonly status: 400 | 401 | 403,
    message: string,
  ) {
    super(message);
  }
}
