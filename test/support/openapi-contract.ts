// Checks calls against the facts distilled from Ex Libris' OpenAPI (test/openapi/alma-openapi-facts.json, made by
// scripts/extract-openapi-facts.ts). Path parameters match any one segment, whatever their name or style
// ({mms_id}, {mmsId} or express' :mms_id).
import facts from '../openapi/alma-openapi-facts.json';

const declared = facts.paths as Record<string, Record<string, string[]>>;

/** GET /almaws/v1/items?item_barcode= is documented only as a note: a 302 to the item's full path. */
export const BARCODE_REDIRECT = { method: 'GET', template: '/almaws/v1/items', query: ['item_barcode'] } as const;

const isParam = (segment: string) => /^\{[^}]+\}$/.test(segment) || segment.startsWith(':');
const segments = (p: string) => p.replace(/\/+$/, '').split('/');
const shapeOf = (template: string) =>
  segments(template)
    .map((s) => (isParam(s) ? '{}' : s))
    .join('/');

export const declaredServers: readonly string[] = facts.servers;

/** Whether (method, template) is a declared route. */
export function isDeclaredRoute(method: string, templatePath: string): boolean {
  const m = method.toUpperCase();
  const shape = shapeOf(templatePath);
  if (m === BARCODE_REDIRECT.method && shape === BARCODE_REDIRECT.template) return true;
  return Object.entries(declared).some(([template, methods]) => shapeOf(template) === shape && m in methods);
}

/** Declared query parameter names of a route, or undefined when the route is not declared. */
export function declaredQueryParams(method: string, templatePath: string): string[] | undefined {
  const m = method.toUpperCase();
  const shape = shapeOf(templatePath);
  if (m === BARCODE_REDIRECT.method && shape === BARCODE_REDIRECT.template) return [...BARCODE_REDIRECT.query];
  const hit = Object.entries(declared).find(([template, methods]) => shapeOf(template) === shape && m in methods);
  return hit?.[1][m];
}

export interface ConcreteCallMatch {
  /** The declared template the call matched, or null when no declared route fits. */
  template: string | null;
  /** Query parameter names the call sent that the route does not declare (all of them when unmatched). */
  undeclaredQuery: string[];
}

/** Finds the declared template for a concrete call such as `/almaws/v1/users/ana/loans?limit=100&offset=0`. */
export function matchConcreteCall(method: string, urlPathWithQuery: string): ConcreteCallMatch {
  const url = new URL(urlPathWithQuery, 'http://contract.invalid');
  const m = method.toUpperCase();
  const names = [...new Set(url.searchParams.keys())];
  const concrete = segments(url.pathname);
  let best: { template: string; literals: number } | undefined;
  const candidates: Array<[string, string[]]> = Object.entries(declared)
    .filter(([, methods]) => m in methods)
    .map(([template]) => [template, segments(template)]);
  if (m === BARCODE_REDIRECT.method) candidates.push([BARCODE_REDIRECT.template, segments(BARCODE_REDIRECT.template)]);
  for (const [template, parts] of candidates) {
    if (parts.length !== concrete.length) continue;
    if (!parts.every((p, i) => (isParam(p) ? concrete[i] !== '' : p === concrete[i]))) continue;
    // A literal segment beats a parameter: /users/{user_id}/fees/all over /users/{user_id}/fees/{fee_id}.
    const literals = parts.filter((p) => !isParam(p)).length;
    if (!best || literals > best.literals) best = { template, literals };
  }
  if (!best) return { template: null, undeclaredQuery: names };
  const allowed = new Set(declaredQueryParams(m, best.template) ?? []);
  return { template: best.template, undeclaredQuery: names.filter((n) => !allowed.has(n)) };
}
