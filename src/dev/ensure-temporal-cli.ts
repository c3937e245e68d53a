// `npm run temporal-cli`: finds or builds the Temporal CLI and prints where it is.
import { findTemporalCli } from './temporal-cli';

async function run(): Promise<void> {
  const cli = await findTemporalCli();
  console.log(cli.kind === 'path' ? cli.path : 'the Temporal SDK will download the CLI on first start');
}

run().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
