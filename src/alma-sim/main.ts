// `npm run alma-sim -- --port P --fixtures FILE [--api-key K] [--seed N]`: the simulator on its own, for
// exploring with curl or pointing a worker at. The API key may also come from ALMA_SIM_API_KEY (the compose file's
// sim profile: the worker's ALMA_API_KEY). Stops cleanly on SIGINT/SIGTERM.
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseKeyPermissions } from './auth';
import { exampleFixturesPath, loadFixtures, LOST_LETTERS, startAlmaSimulator } from './index';
import type { BibRequestsList } from './core';

const integer = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
  return n;
};

async function main(argv: string[]): Promise<void> {
  const program = new Command('alma-sim')
    .description('Alma REST API simulator on loopback (users, items, scan-in, requests, loans, fees).')
    .option('--port <port>', 'port to listen on (0: any free port)', integer(0), 8480)
    .option('--host <host>', 'loopback address to listen on', '127.0.0.1')
    .option('--allow-non-loopback', 'allow a non-loopback --host (inside a container network only)')
    .option('--fixtures <file>', 'fixture file (JSON, Alma shapes)', exampleFixturesPath)
    .option('--api-key <key>', "API key callers must send (default 'sim-key')")
    .option('--seed <n>', 'seed for random faults', integer(0), 1)
    .option('--daily-budget <n>', 'calls per day (X-Exl-Api-Remaining)', integer(0), 1_000_000)
    .option(
      '--per-second-limit <n>',
      "the institution's per-second threshold (a sandbox: 10); default none",
      integer(1),
    )
    .option('--strict-params', 'refuse query parameters the OpenAPI does not declare (Alma ignores them)')
    .option('--lost-letter <code>', 'letter of the Lost click: FulLostLoanLetter or FulOverdueAndLostLoanLetter')
    .option('--lost-item-fee <amount>', 'Lost item replacement fee of the Lost click (0: none)', integer(0), 85)
    .option('--lost-process-status <code>', "a lost loan's process_status (e.g. LOST, LOST_LOAN)", 'LOST')
    .option('--email-description-max <length>', "characters Alma keeps of an email's description", integer(0))
    .addOption(
      new Option('--bib-requests-list <shown>', "what a bib's request list shows besides title-level requests")
        .choices(['item-id', 'barcode-only', 'title-level-only'])
        .default('item-id'),
    )
    .option('--no-return-receipt', 'a return sends no Return Receipt Letter (the institution has it disabled)')
    .option(
      '--key-permissions <list>',
      "the key's permissions per API area, e.g. users=read-only,conf=none (default: Users and Bibs read-write, Conf read)",
      (text: string) => {
        try {
          return parseKeyPermissions(text);
        } catch (err) {
          throw new InvalidArgumentError((err as Error).message);
        }
      },
    )
    .option('--webhook-url <url>', "send Alma's webhooks to this listener (challenged at start)")
    .option('--webhook-secret <secret>', 'the webhook secret (or ALMA_SIM_WEBHOOK_SECRET)')
    .option('--webhook-retry <ms,...>', 'waits before the retries of a message answered 5xx', (text: string) => {
      const list = text.split(',').map((t) => Number(t.trim()));
      if (!list.every((n) => Number.isInteger(n) && n >= 0)) throw new InvalidArgumentError('expected ms,ms,...');
      return list;
    })
    .option('--webhook-drop-rate <share>', 'share of webhook messages never sent (0 to 1)', (text: string) => {
      const n = Number(text);
      if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
      return n;
    })
    .option('--webhook-delay <ms>', 'each webhook message waits this long before it is sent', integer(0))
    .parse(argv);
  const opts = program.opts<{
    port: number;
    host: string;
    allowNonLoopback?: boolean;
    fixtures: string;
    apiKey?: string;
    seed: number;
    dailyBudget: number;
    perSecondLimit?: number;
    strictParams?: boolean;
    lostLetter?: string;
    lostItemFee: number;
    lostProcessStatus: string;
    emailDescriptionMax?: number;
    bibRequestsList: BibRequestsList;
    returnReceipt: boolean;
    keyPermissions?: ReturnType<typeof parseKeyPermissions>;
    webhookUrl?: string;
    webhookSecret?: string;
    webhookRetry?: number[];
    webhookDropRate?: number;
    webhookDelay?: number;
  }>();
  const webhookSecret = opts.webhookSecret ?? process.env.ALMA_SIM_WEBHOOK_SECRET;
  if (opts.webhookUrl && !webhookSecret) {
    throw new InvalidArgumentError('--webhook-url needs --webhook-secret (or ALMA_SIM_WEBHOOK_SECRET)');
  }
  const lostLetter = LOST_LETTERS.find((l) => l === (opts.lostLetter ?? LOST_LETTERS[0]));
  if (!lostLetter) throw new InvalidArgumentError(`--lost-letter must be one of ${LOST_LETTERS.join(', ')}`);

  const fixturesFile = path.resolve(opts.fixtures);
  const sim = await startAlmaSimulator({
    fixtures: loadFixtures(fixturesFile),
    port: opts.port,
    host: opts.host,
    allowNonLoopback: opts.allowNonLoopback,
    apiKey: opts.apiKey ?? process.env.ALMA_SIM_API_KEY,
    seed: opts.seed,
    dailyBudget: opts.dailyBudget,
    perSecondLimit: opts.perSecondLimit,
    strictParams: opts.strictParams ?? false,
    lostLetter,
    lostItemFee: opts.lostItemFee,
    lostProcessStatus: opts.lostProcessStatus,
    emailDescriptionMax: opts.emailDescriptionMax,
    bibRequestsList: opts.bibRequestsList,
    returnReceipt: opts.returnReceipt,
    keyPermissions: opts.keyPermissions,
    ...(opts.webhookUrl && webhookSecret
      ? {
          webhooks: {
            url: opts.webhookUrl,
            secret: webhookSecret,
            ...(opts.webhookRetry ? { retryDelaysMs: opts.webhookRetry } : {}),
            ...(opts.webhookDropRate !== undefined ? { dropRate: opts.webhookDropRate } : {}),
            ...(opts.webhookDelay !== undefined ? { delayMs: opts.webhookDelay } : {}),
            seed: opts.seed,
          },
        }
      : {}),
  });
  console.log(`Alma simulator listening on ${sim.url}`);
  console.log(`  API base:  ${sim.apiBase}`);
  console.log(`  admin:     ${sim.url}/_sim/state  (also /_sim/notices, /_sim/calls, /_sim/faults)`);
  console.log(`  fixtures:  ${fixturesFile}`);
  if (opts.webhookUrl) console.log(`  webhooks:  to ${opts.webhookUrl} (settings and what was sent: /_sim/webhooks)`);
  const keySource =
    opts.apiKey !== undefined ? '--api-key' : process.env.ALMA_SIM_API_KEY ? 'ALMA_SIM_API_KEY' : undefined;
  console.log(`  API key:   ${keySource ? `as given with ${keySource}` : "the default 'sim-key'"}`);

  const stop = (signal: string) => {
    console.log(`${signal}: stopping the Alma simulator`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main(process.argv).catch((error: unknown) => {
  console.error(`alma-sim: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
