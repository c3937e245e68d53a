// relink doctor: checks this library's Alma and Temporal setup without changing anything; a table, exit 1 on any
// problem. Unlike the staff commands it reads the Alma settings, API key included (never printed): it is for the
// library's IT team, run where the worker runs.
import { runDoctorChecks, type CheckRow } from '../../doctor/checks';
import { EXIT, type ExitCode } from '../errors';
import { table } from '../format';
import type { Output } from '../output';

const MARK: Record<CheckRow['status'], string> = {
  ok: 'ok',
  problem: 'PROBLEM',
  warning: 'warning',
  skipped: 'skipped',
};

export async function doctorCommand(out: Output): Promise<ExitCode> {
  const checks = await runDoctorChecks();
  const problems = checks.filter((c) => c.status === 'problem').length;
  out.result({ ok: problems === 0, problems, checks }, () =>
    [
      table(
        ['area', 'check', 'result', 'detail'],
        checks.map((c) => [c.area, c.check, MARK[c.status], c.detail]),
      ),
      problems === 0 ? 'Everything checked is in place.' : `${problems} problem(s): see PROBLEM above.`,
    ].join('\n'),
  );
  return problems === 0 ? EXIT.ok : EXIT.failed;
}
