// Distils Ex Libris' OpenAPI files into the facts the contract tests need: for each path and method, the names of
// its declared query parameters, plus the server list. No descriptions or other prose are copied.
// Usage: npx tsx scripts/extract-openapi-facts.ts [dir with users.json and bibs.json, default ../shared/alma-openapi]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface Parameter {
  $ref?: string;
  name?: string;
  in?: string;
}
interface OpenApi {
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, unknown> & { parameters?: Parameter[] }>;
  components?: { parameters?: Record<string, Parameter> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const FILES = ['users.json', 'bibs.json'];

/**
 * The Configuration API paths `relink doctor` reads. ../shared/alma-openapi has no conf.json; the first two are listed
 * under "Organization Units" on Ex Libris' Configuration and Administration API page (developers.exlibrisgroup.com,
 * /alma/apis/conf/: "Retrieve Libraries", "Retrieve Circulation Desks"), the third under "Code Tables" ("Retrieve
 * Code Table", the path docs/operations.md gives for EmailTypes). Their query parameters were not read there, so
 * none is declared: the client sends none, and the strict simulator accepts none.
 */
const CONF_PATHS: OpenApi = {
  paths: {
    '/almaws/v1/conf/code-tables/{codeTableName}': { get: {} },
    '/almaws/v1/conf/libraries': { get: {} },
    '/almaws/v1/conf/libraries/{libraryCode}/circ-desks': { get: {} },
  },
};

function resolve(doc: OpenApi, p: Parameter): Parameter {
  if (!p.$ref) return p;
  const prefix = '#/components/parameters/';
  const target = p.$ref.startsWith(prefix) ? doc.components?.parameters?.[p.$ref.slice(prefix.length)] : undefined;
  if (!target) throw new Error(`unresolvable parameter $ref ${p.$ref}`);
  return resolve(doc, target);
}

export type OpenApiFacts = Record<string, Record<string, string[]>>;

export function extractFacts(docs: OpenApi[]): OpenApiFacts {
  const facts: OpenApiFacts = {};
  for (const doc of docs) {
    for (const [route, item] of Object.entries(doc.paths)) {
      const shared = item.parameters ?? [];
      for (const method of METHODS) {
        const op = item[method] as { parameters?: Parameter[] } | undefined;
        if (!op) continue;
        const names = [...shared, ...(op.parameters ?? [])]
          .map((p) => resolve(doc, p))
          .filter((p) => p.in === 'query' && p.name)
          .map((p) => p.name!);
        const byMethod = (facts[route] ??= {});
        byMethod[method.toUpperCase()] = [...new Set([...(byMethod[method.toUpperCase()] ?? []), ...names])].sort();
      }
    }
  }
  // Stable order, so a regenerated file only differs where Ex Libris changed something.
  return Object.fromEntries(
    Object.keys(facts)
      .sort()
      .map((route) => [
        route,
        Object.fromEntries(Object.entries(facts[route]!).sort(([a], [b]) => a.localeCompare(b))),
      ]),
  );
}

function main(): void {
  const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'shared', 'alma-openapi'));
  const docs = FILES.map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as OpenApi);
  const out = path.join(__dirname, '..', 'test', 'openapi', 'alma-openapi-facts.json');
  mkdirSync(path.dirname(out), { recursive: true });
  const facts = extractFacts([...docs, CONF_PATHS]);
  const body = {
    source: `Ex Libris Alma OpenAPI ${FILES.join(', ')}: paths, methods and query parameter names only; three Configuration API paths from its API page`,
    generatedBy: 'scripts/extract-openapi-facts.ts',
    servers: [...new Set(docs.flatMap((d) => (d.servers ?? []).map((s) => s.url)))].sort(),
    paths: facts,
  };
  writeFileSync(out, `${JSON.stringify(body, null, 2)}\n`);
  console.log(`wrote ${Object.keys(facts).length} paths to ${path.relative(process.cwd(), out)}`);
}

if (require.main === module) main();
