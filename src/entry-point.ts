// How the project's commands (npm run worker, codec-server, dev-server, start, temporal-cli) begin and end: a failure
// prints its message, not a stack, and exits 1; Ctrl-C or SIGTERM closes what the command started and exits.

/** Runs a command's main function; a failure prints its message and exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

/** On SIGINT or SIGTERM: `close` (once, whichever signals follow), then exit 0, or 1 when closing failed. */
export function closeOnSignals(close: () => Promise<unknown>): void {
  let closing: Promise<void> | undefined;
  const stop = () => {
    closing ??= close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
