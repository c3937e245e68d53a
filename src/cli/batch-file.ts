// A batch file for `relink batch`: the shared rules (src/staff-input/batch-file.ts), with the CLI's error and hint.
import { batchMaxFrom, parseBatchFile as sharedParseBatchFile, type BatchPlan } from '../staff-input/batch-file';
import { InvalidInput } from '../staff-input/problems';
import { CliError } from './errors';

export { BATCH_COLUMNS, type BatchPlan, type BatchRelink, type BatchRow } from '../staff-input/batch-file';

/**
 * Parses and checks the whole file, at most DESK_BATCH_MAX items (the desk's rule); throws an invalid-input CliError
 * listing every problem, by line.
 */
export function parseBatchFile(text: string, fileName: string, env: NodeJS.ProcessEnv = process.env): BatchPlan {
  try {
    return sharedParseBatchFile(text, fileName, batchMaxFrom(env));
  } catch (err) {
    if (!(err instanceof InvalidInput)) throw err;
    throw new CliError('invalid-input', err.message, {
      problems: err.problems,
      hint: err.unreadable
        ? 'Fix the file and run the batch again.'
        : `Fix the file and run it again: relink batch ${fileName}   (header patron_id,barcode; one line per item)`,
    });
  }
}
