// The workflow code a relink worker of this installation runs, for replaying a history in a tool (relink unstick):
// the bundle `npm run build` wrote beside the compiled code, else bundled from the sources exactly as the worker does,
// with the relink data converter, whose payload codec opens a production history's encrypted payloads.
import { clientDataConverter } from '../codec';
import { buildWorkflowBundle, prebuiltWorkflowBundle } from '../workflow-bundle';
import type { ReplayCode } from './last-compatible-task';

export async function installedReplayCode(temporalAddress: string): Promise<ReplayCode> {
  return {
    workflowBundle: prebuiltWorkflowBundle() ?? { code: await buildWorkflowBundle() },
    dataConverter: clientDataConverter(temporalAddress),
  };
}
