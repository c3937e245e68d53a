// A minimal workflow for the foundation test: it proves the server, the bundler and the search attributes work.
import { condition, defineSignal, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { RelinkAwaiting, RelinkPatronId } from '../../src/contract';

export const release = defineSignal('release');

export async function echoWorkflow(patronId: string): Promise<string> {
  let released = false;
  setHandler(release, () => void (released = true));
  upsertSearchAttributes([
    { key: RelinkPatronId, value: patronId },
    { key: RelinkAwaiting, value: 'release' },
  ]);
  await condition(() => released);
  upsertSearchAttributes([{ key: RelinkAwaiting, value: 'none' }]);
  return `hello ${patronId}`;
}
