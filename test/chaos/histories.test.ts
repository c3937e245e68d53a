// `npm run chaos -- --record-histories` saves every scenario's runs for the replay corpus (test/histories/README.md):
// each scenario needs a file name of its own, or one would overwrite another's history.
import { HISTORIES, historyName } from '../../chaos/histories';
import { scenariosFor } from '../../chaos/runner';

describe('chaos history names', () => {
  const scenarios = scenariosFor({});

  it('gives every chaos scenario its own history file name', () => {
    const names = scenarios.map((s) => historyName({ group: s.group, scenario: s.name }));
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const n of names) expect(n).toMatch(/^chaos-[a-z0-9-]+$/);
  });

  it('keeps the committed names of the runs already in the corpus', () => {
    const byName = new Map(scenarios.map((s) => [s.name, historyName({ group: s.group, scenario: s.name })]));
    for (const [scenario, file] of Object.entries(HISTORIES)) expect(byName.get(scenario)).toBe(file);
  });
});
