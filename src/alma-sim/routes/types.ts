// The shape of a simulated Alma route: its OpenAPI method and path template, the query parameters the OpenAPI
// declares for it, and a synchronous handler that returns a result or throws an AlmaError.
import type { SimCore } from '../core';

export interface ApiRequest {
  method: string;
  params: Record<string, string>;
  /** Query parameters, first value of each. */
  query: Record<string, string>;
  /** The body as received ('' when none). */
  rawBody: string;
  /** Scheme, host and port the caller used, for links and redirects. */
  baseUrl: string;
}

export interface ApiResult {
  status: number;
  body?: unknown;
  /** For a 302. */
  location?: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteDef {
  method: HttpMethod;
  /** The OpenAPI path template, e.g. /almaws/v1/users/{user_id}. */
  path: string;
  /** Query parameters declared in the OpenAPI for this operation (apikey and format are always accepted). */
  query: readonly string[];
  handler: (req: ApiRequest, core: SimCore) => ApiResult;
  /** Not an OpenAPI path: GET /almaws/v1/items?item_barcode= is documented as a redirect. */
  redirect?: true;
}
