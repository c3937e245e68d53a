// `npm run temporal-cli`: finds or builds the Temporal CLI and prints where it is.
import { runMain } from '../entry-point';
import { findTemporalCli } from './temporal-cli';

async function run(): Promise<void> {
  const cli = await findTemporalCli();
  console.log(cli.kind === 'path' ? cli.path : 'the Temporal SDK will download the CLI on first start');
}

runMain(run);
