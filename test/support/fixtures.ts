// Alma's example objects (fixtures/alma-example.json) plus the records a test adds: every test builds its own state.
import { readFileSync } from 'node:fs';
import { exampleFixturesPath, type Fixtures } from '../../src/alma-sim';

type AnyRecord = Record<string, any>;

export function exampleFixtures(): Fixtures {
  return JSON.parse(readFileSync(exampleFixturesPath, 'utf8')) as Fixtures;
}

/** The example fixtures plus extra records. */
export function fixturesWith(parts: {
  users?: AnyRecord[];
  items?: AnyRecord[];
  requests?: AnyRecord[];
  loans?: AnyRecord[];
  fees?: AnyRecord[];
}): Fixtures {
  const base = exampleFixtures() as AnyRecord;
  return {
    ...base,
    users: [...base.users, ...(parts.users ?? [])],
    items: [...base.items, ...(parts.items ?? [])],
    requests: [...base.requests, ...(parts.requests ?? [])],
    loans: [...base.loans, ...(parts.loans ?? [])],
    fees: [...base.fees, ...(parts.fees ?? [])],
  } as Fixtures;
}
