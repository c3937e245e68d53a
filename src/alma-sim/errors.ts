// Alma's error bodies. JSON when the caller asked for JSON (Accept or format=json), otherwise the XML
// web_service_result. Each error carries a fresh tracking id, as Alma's do.
import { XMLBuilder } from 'fast-xml-parser';

export type BodyFormat = 'json' | 'xml';

/** A logical Alma error: thrown by handlers, rendered by the pipeline. */
export class AlmaError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const almaError = (code: string, message: string, status = 400) => new AlmaError(code, message, status);

// Messages as the OpenAPI and the api doc give them (X and Y filled in).
export const err = {
  userNotFound: (id: string, type?: string) =>
    type && type !== 'all_unique'
      ? almaError('401890', `User with identifier ${id} of type ${type} was not found.`)
      : almaError('401861', `User with identifier ${id} was not found.`),
  general: (detail?: string) =>
    almaError(
      '401652',
      `General Error: An error has occurred while processing the request.${detail ? ` ${detail}` : ''}`,
    ),
  badParameter: (detail: string) => almaError('401666', `Parameter is not valid. ${detail}`),
};

let trackingSeq = 0;
/** Shaped like Alma's, e.g. E01-2811123456-A1B2C-AWAE1234567890; unique within the process. */
export function newTrackingId(now = new Date()): string {
  trackingSeq += 1;
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${p(now.getUTCDate())}${p(now.getUTCMonth() + 1)}${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  const tag = trackingSeq.toString(36).toUpperCase().padStart(5, '0').slice(-5);
  return `E01-${stamp}-${tag}-AWAE${String(now.getTime()).slice(-10)}`;
}

export interface ErrorEntry {
  errorCode: string;
  errorMessage: string;
  trackingId: string;
}

const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: false });

export function errorBody(format: BodyFormat, entry: ErrorEntry): { contentType: string; text: string } {
  if (format === 'json') {
    const body = { errorsExist: true, errorList: { error: [entry] }, result: null };
    return { contentType: 'application/json;charset=UTF-8', text: JSON.stringify(body) };
  }
  const doc = {
    web_service_result: {
      '@_xmlns': 'http://com/exlibris/urm/general/xmlbeans',
      errorsExist: true,
      errorList: { error: entry },
    },
  };
  return {
    contentType: 'application/xml;charset=UTF-8',
    text: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${xml.build(doc) as string}`,
  };
}

/** format=json|xml wins; otherwise an Accept naming application/json asks for JSON (Alma's default is XML). */
export function requestedFormat(query: Record<string, string>, accept: string | undefined): BodyFormat {
  const format = query.format?.toLowerCase();
  if (format === 'json' || format === 'xml') return format;
  return accept?.toLowerCase().includes('application/json') ? 'json' : 'xml';
}
