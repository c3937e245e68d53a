// Settings and the Temporal connection for one command, and Temporal's errors in words staff can act on.
import { connectRelinkClient, RelinkClient, RelinkClientError } from '../client';
import { ConfigError, loadSettings, type TemporalSettings } from '../config';
import { CliError, toCliError } from './errors';

/**
 * The Temporal part of the settings (with the payload codec's, checked in the same message): every command needs
 * it; start and batch also load the relink part. The Alma API key is never read here: the worker has it.
 */
export function temporalSettings(): TemporalSettings {
  return loadSettings(['temporal', 'codec']).temporal;
}

/** Connects, runs `fn` with a RelinkClient, and always closes the connection so the process can exit. */
export async function withRelinks<T>(
  settings: TemporalSettings,
  fn: (relinks: RelinkClient) => Promise<T>,
): Promise<T> {
  let connected: Awaited<ReturnType<typeof connectRelinkClient>>;
  try {
    connected = await connectRelinkClient(settings);
  } catch (err) {
    throw translateTemporalError(err, settings);
  }
  try {
    return await fn(connected.relinks);
  } catch (err) {
    throw translateTemporalError(err, settings);
  } finally {
    await connected.close();
  }
}

/**
 * How long a command waits for a relink worker: to answer a query, or to take a start. Without a worker the command
 * then says so (DEADLINE_EXCEEDED, below) instead of hanging.
 */
export const WORKER_ANSWER_MS = 15_000;

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

export function translateTemporalError(err: unknown, settings: TemporalSettings): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof ConfigError) return toCliError(err);
  if (err instanceof Error && err.name === 'CodecKeyError') {
    return new CliError('config', err.message, { hint: 'Use the same key list as the relink worker.' });
  }
  if (err instanceof RelinkClientError) {
    if (err.kind === 'not-found') {
      return new CliError('not-found', err.message, {
        hint: 'List running relinks with: relink list   (or relink list --all)',
      });
    }
    return new CliError(err.kind === 'refused' ? 'refused' : 'failed', err.message);
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = grpcCode(err);
  if (code === GRPC_UNAVAILABLE || /failed to connect|connection refused|ECONNREFUSED|dns error/i.test(message)) {
    return new CliError(
      'unreachable',
      `Cannot reach the Temporal server at ${settings.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS).`,
      {
        hint:
          'Is it running? For development start one with: npm run dev-server. ' +
          'Otherwise set TEMPORAL_ADDRESS (host:port) in the environment or .env to your Temporal server.',
      },
    );
  }
  if (code === GRPC_DEADLINE_EXCEEDED) {
    return new CliError('unreachable', `No relink worker answered in time (${message}).`, {
      hint:
        'Is a relink worker running? Start one with: npm run worker. It must poll the task queue the relink was ' +
        `started on (this command's RELINK_TASK_QUEUE is "${settings.RELINK_TASK_QUEUE}").`,
    });
  }
  if (/namespace .* (is )?not found/i.test(message)) {
    return new CliError('refused', `Temporal has no namespace "${settings.TEMPORAL_NAMESPACE}" (TEMPORAL_NAMESPACE).`);
  }
  return new CliError('failed', message);
}
