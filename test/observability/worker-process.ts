// A relink worker in its own process (`npm run worker`: the TypeScript sources), every line it writes kept, for the
// tests of what an operator sees: its log lines, its metrics endpoint, its shutdown.
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { PROJECT_ROOT } from '../../src/project-root';

export interface LoggedWorker {
  /** Every line of stdout and stderr, in order of arrival. */
  lines: string[];
  exited: Promise<number | null>;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

export async function startLoggedWorker(env: Record<string, string>): Promise<LoggedWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        if (line.includes('Relink worker polling')) resolve();
      });
    }
    void exited.then((code) =>
      reject(new Error(`the worker exited with ${code} before polling:\n${lines.join('\n')}`)),
    );
  });
  await ready;
  return {
    lines,
    exited,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(timer);
      // The last lines are read once the streams end.
      await new Promise((r) => setTimeout(r, 100));
      return code;
    },
  };
}
