// docker-compose.yml, checked by a real Compose implementation that needs no engine: Debian's docker-compose
// answers `config` (interpolation, schema validation, profiles) without a Docker daemon. No image is built here.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { searchAttributeFlags } from '../../src/contract/search-attributes';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../../src/worker';
import { debianTool } from '../support/debian-package';

const ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const ENV_EXAMPLE = path.join(ROOT, '.env.example');
const compose = debianTool('docker-compose', 'docker-compose');
const describeWithCompose = 'skip' in compose ? describe.skip : describe;
if ('skip' in compose) console.warn(`Compose file test skipped: ${compose.skip}`);

// The secret files compose mounts (deploy/init-secrets.sh makes them); `config` only names them.
const SECRET_FILES = [
  'postgres-superuser-password',
  'temporal-db-password',
  'alma-api-key',
  'relink-codec-keys',
  'temporal-ui-oidc-client-secret',
  'alma-webhook-secret',
];
const SECRETS: Record<string, string> = { RELINK_SECRETS_DIR: '/run/relink-test-secrets' };
const ONE_SHOT_JOBS = ['temporal-schema', 'temporal-namespace'];

/** Runs `docker-compose config` with .env.example and only the given environment (no developer settings). */
async function composeConfig(env: Record<string, string>, args: string[] = []) {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => ['PATH', 'HOME', 'LANG', 'TMPDIR'].includes(k)),
  );
  const bin = 'path' in compose ? compose.path : 'docker-compose';
  return promisify(execFile)(
    bin,
    ['--project-directory', ROOT, '-f', COMPOSE_FILE, '--env-file', ENV_EXAMPLE, ...args, 'config'],
    { env: { ...base, ...env }, cwd: ROOT },
  );
}

type Service = {
  image?: string;
  entrypoint?: string[];
  restart?: string;
  secrets?: Array<string | { source: string }>;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  profiles?: string[];
  ports?: Array<string | { host_ip?: string; published?: number | string }>;
  volumes?: Array<string | { type: string; source: string; target: string }>;
  depends_on?: Record<string, { condition: string }>;
  user?: string;
};

describeWithCompose('docker-compose.yml', () => {
  let services: Record<string, Service>;
  let volumes: Record<string, unknown>;
  beforeAll(async () => {
    const { stdout } = await composeConfig(SECRETS);
    ({ services, volumes, secrets } = parse(stdout) as {
      services: Record<string, Service>;
      volumes: Record<string, unknown>;
      secrets: Record<string, { file: string }>;
    });
  });
  let secrets: Record<string, { file: string }>;
  const secretsOf = (name: string) =>
    (services[name]!.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));

  it('is valid Compose, with every service of the stack on maintained images (no auto-setup)', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'alma-sim',
        'codec-server',
        'postgresql',
        'proxy',
        'temporal',
        'temporal-namespace',
        'temporal-schema',
        'temporal-ui',
        'worker',
        'webhooks',
      ].sort(),
    );
    const serverVersion = /^temporalio\/server:(\d+\.\d+\.\d+)$/.exec(services.temporal!.image!)?.[1];
    expect(serverVersion).toBeDefined();
    // The setup jobs' temporal-sql-tool and schemas are those of the server's own release.
    for (const job of ONE_SHOT_JOBS) expect(services[job]!.image).toBe(`temporalio/admin-tools:${serverVersion}`);
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:2\.(\d+)\.\d+$/);
    expect(Number(/ui:2\.(\d+)/.exec(services['temporal-ui']!.image!)![1])).toBeGreaterThan(34);
    expect(services.postgresql!.image).toMatch(/^postgres:/);
    expect(JSON.stringify(services)).not.toMatch(/auto-setup/);
  });

  it('sets up the schema, then the server, then the namespace, in one-shot jobs that run the deploy/ scripts', () => {
    expect(services['temporal-schema']!.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(services.temporal!.depends_on).toEqual({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    expect(services['temporal-namespace']!.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    for (const job of ONE_SHOT_JOBS) expect(services[job]!.restart).toBe('no');
    expect(services['temporal-schema']!.command).toEqual(['/relink/temporal/setup/schema.sh']);
    expect(services['temporal-namespace']!.command).toEqual(['/relink/temporal/setup/namespace.sh']);
    expect(services.temporal!.entrypoint).toEqual(['/bin/sh', '/relink/temporal/start-server.sh']);
    expect(services.temporal!.environment!.TEMPORAL_SERVER_CONFIG).toBe('/relink/temporal/config/relink.yaml');
    for (const script of ['temporal/setup/schema.sh', 'temporal/setup/namespace.sh', 'temporal/start-server.sh'])
      expect(existsSync(path.join(ROOT, 'deploy', script))).toBe(true);
  });

  it('creates exactly the search attributes the relink writes, with their types', () => {
    const script = readFileSync(path.join(ROOT, 'deploy', 'temporal', 'setup', 'namespace.sh'), 'utf8');
    const listed = /^SEARCH_ATTRIBUTES="([^"]+)"$/m.exec(script)![1]!.split(' ');
    expect(listed).toEqual(searchAttributeFlags);
  });

  it('gives every long-running service a health check, and starts each after what it needs is ready', () => {
    for (const [name, service] of Object.entries(services)) {
      if (ONE_SHOT_JOBS.includes(name)) continue;
      expect({ name, test: service.healthcheck?.test?.length ?? 0 }).toEqual({ name, test: expect.any(Number) });
      expect(service.healthcheck!.test.length).toBeGreaterThan(1);
    }
    for (const name of ['worker', 'temporal-ui'])
      expect(services[name]!.depends_on).toEqual({
        'temporal-namespace': { condition: 'service_completed_successfully' },
      });
    expect(services.worker!.healthcheck!.test).toEqual(['CMD', 'node', 'src/health.js', 'worker']);
  });

  it('reads every secret from a file (compose secrets), none from the environment', async () => {
    expect(Object.keys(secrets).sort()).toEqual([...SECRET_FILES].sort());
    for (const name of SECRET_FILES) expect(secrets[name]!.file).toBe(`/run/relink-test-secrets/${name}`);
    expect(secretsOf('worker').sort()).toEqual(['alma-api-key', 'relink-codec-keys']);
    // The webhook listener never holds the Alma API key.
    expect(secretsOf('webhooks').sort()).toEqual(['alma-webhook-secret', 'relink-codec-keys']);
    expect(services.worker!.environment).toMatchObject({
      ALMA_API_KEY_FILE: '/run/secrets/alma-api-key',
      RELINK_CODEC_KEY_FILE: '/run/secrets/relink-codec-keys',
    });
    expect(secretsOf('codec-server')).toEqual(['relink-codec-keys']);
    expect(services.temporal!.environment!.POSTGRES_PWD_FILE).toBe('/run/secrets/temporal-db-password');
    expect(services.postgresql!.environment!.POSTGRES_PASSWORD_FILE).toBe('/run/secrets/postgres-superuser-password');
    const secretish = /PASSWORD$|PWD$|SECRET$|_KEY$|_KEYS$/;
    for (const [name, service] of Object.entries(services)) {
      // TEMPORAL_TLS_KEY is the path of a mounted key file here (config.ts reads a path or PEM text).
      const plain = Object.keys(service.environment ?? {}).filter((k) => secretish.test(k) && k !== 'TEMPORAL_TLS_KEY');
      expect({ name, plain }).toEqual({ name, plain: [] });
    }
    const example = readFileSync(ENV_EXAMPLE, 'utf8');
    expect(example).not.toMatch(/^(POSTGRES_PASSWORD|ALMA_API_KEY|RELINK_CODEC_KEYS)=/m);
  });

  it('connects Temporal to PostgreSQL as its own role, not the superuser', () => {
    expect(services.temporal!.environment!.POSTGRES_USER).toBe('temporal');
    expect(services['temporal-schema']!.environment!.POSTGRES_USER).toBe('temporal');
    expect(services.postgresql!.environment!.TEMPORAL_DB_USER).toBe('temporal');
    expect(secretsOf('temporal')).toEqual(['temporal-db-password']);
    expect(secretsOf('temporal-schema')).toEqual(['temporal-db-password']);
  });

  it('keeps Terminate, Reset and batch actions out of the Web UI, which passes the user token to the codec', () => {
    expect(services['temporal-ui']!.environment).toMatchObject({
      TEMPORAL_WORKFLOW_TERMINATE_DISABLED: 'true',
      TEMPORAL_WORKFLOW_RESET_DISABLED: 'true',
      TEMPORAL_BATCH_ACTIONS_DISABLED: 'true',
      TEMPORAL_CODEC_PASS_ACCESS_TOKEN: 'true',
      TEMPORAL_CODEC_ENDPOINT: 'http://localhost:8080/codec',
    });
  });

  it('serves the codec server on the Web UI origin: /codec/decode only, never /encode', () => {
    const nginx = readFileSync(path.join(ROOT, 'deploy', 'proxy', 'nginx.conf'), 'utf8');
    expect(nginx).toMatch(/location = \/codec\/decode \{[\s\S]*?proxy_pass http:\/\/codec-server:8888\/decode;/);
    expect(nginx).not.toMatch(/encode;/);
    expect(nginx).toMatch(/location \/codec\/ \{\s*return 404;/);
    expect(services['codec-server']!.ports ?? []).toEqual([]);
    expect(services['codec-server']!.environment!.RELINK_CODEC_ENCODE).toBe('false');
  });

  it('keeps PostgreSQL data in a named volume, at the path of the chosen major version', async () => {
    expect(Object.keys(volumes)).toEqual(['postgres-data']);
    const mounts = (services.postgresql!.volumes ?? []).map((v) =>
      typeof v === 'string' ? v : `${v.source}:${v.target}`,
    );
    expect(mounts.some((m) => m.startsWith('postgres-data:/var/lib/postgresql/data'))).toBe(true);
    // postgres 18 images keep their data one level up (PGDATA /var/lib/postgresql/18/docker).
    const { stdout } = await composeConfig({
      ...SECRETS,
      POSTGRES_VERSION: '18',
      POSTGRES_DATA_MOUNT: '/var/lib/postgresql',
    });
    const pg18 = (parse(stdout) as { services: Record<string, Service> }).services.postgresql!;
    const pg18Mounts = (pg18.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    expect(pg18.image).toBe('postgres:18');
    expect(pg18Mounts.some((m) => /^postgres-data:\/var\/lib\/postgresql(:rw)?$/.test(m))).toBe(true);
  });

  it('puts the simulator behind the opt-in sim profile, and nothing else', () => {
    expect(services['alma-sim']!.profiles).toEqual(['sim']);
    for (const [name, service] of Object.entries(services)) {
      if (name !== 'alma-sim') expect({ name, profiles: service.profiles }).toEqual({ name, profiles: undefined });
    }
    expect(secretsOf('alma-sim')).toEqual(['alma-api-key']);
  });

  it('takes its settings from the environment, with defaults for everything but secrets', async () => {
    const { stdout } = await composeConfig({
      ...SECRETS,
      TEMPORAL_UI_PUBLIC_URL: 'https://temporal.library.example.edu',
      TEMPORAL_UI_OIDC_ISSUER: 'https://login.library.example.edu/realms/staff',
      TEMPORAL_NAMESPACE: 'relink',
      TEMPORAL_ADDRESS: 'relink.a1b2c.tmprl.cloud:7233',
      TEMPORAL_API_KEY_FILE: '/run/secrets/temporal-cloud-api-key',
    });
    const s = (parse(stdout) as { services: Record<string, Service> }).services;
    expect(s['temporal-ui']!.environment!.TEMPORAL_CODEC_ENDPOINT).toBe('https://temporal.library.example.edu/codec');
    expect(s['temporal-ui']!.environment!.TEMPORAL_AUTH_PROVIDER_URL).toBe(
      'https://login.library.example.edu/realms/staff',
    );
    expect(s['codec-server']!.environment!.RELINK_CODEC_OIDC_ISSUER).toBe(
      'https://login.library.example.edu/realms/staff',
    );
    expect(s['temporal-namespace']!.environment!.TEMPORAL_NAMESPACE).toBe('relink');
    expect(s.worker!.environment).toMatchObject({
      TEMPORAL_NAMESPACE: 'relink',
      TEMPORAL_ADDRESS: 'relink.a1b2c.tmprl.cloud:7233',
      TEMPORAL_API_KEY_FILE: '/run/secrets/temporal-cloud-api-key',
    });
  });

  it('documents every variable it reads in .env.example', () => {
    const used = new Set(
      [...readFileSync(COMPOSE_FILE, 'utf8').matchAll(/(?<!\$)\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!),
    );
    const documented = new Set(
      [...readFileSync(ENV_EXAMPLE, 'utf8').matchAll(/^#?\s*([A-Z0-9_]+)=/gm)].map((m) => m[1]!),
    );
    expect([...used].filter((v) => !documented.has(v))).toEqual([]);
  });

  it('passes every setting .env.example documents to a service: none is set there to no effect', () => {
    const used = new Set(
      [...readFileSync(COMPOSE_FILE, 'utf8').matchAll(/(?<!\$)\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!),
    );
    const documented = [...readFileSync(ENV_EXAMPLE, 'utf8').matchAll(/^#?\s*([A-Z0-9_]+)=/gm)].map((m) => m[1]!);
    expect(documented.filter((v) => !used.has(v))).toEqual([]);
  });

  it('publishes ports on loopback only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        const hostIp = typeof port === 'string' ? port.split(':')[0] : port.host_ip;
        expect({ name, hostIp }).toEqual({ name, hostIp: '127.0.0.1' });
      }
    }
  });

  it('runs the worker with the heap limits the benchmark measured (WORKER_NODE_FLAGS)', () => {
    expect(services.worker!.command).toEqual(['node', ...WORKER_NODE_FLAGS, 'src/worker.js']);
  });

  it('runs the relink services from this repository image, on entry points that exist', () => {
    for (const name of ['worker', 'codec-server', 'alma-sim']) {
      const service = services[name]!;
      expect(service.build).toBeDefined();
      const scripts = [...(service.command ?? []), ...(service.healthcheck?.test ?? [])].filter((a) =>
        /^src\/.*\.js$/.test(a),
      );
      expect(scripts.length).toBeGreaterThan(0);
      // The image runs the compiled JavaScript of src/*.ts at the same paths (Dockerfile, tsconfig.build.json).
      for (const script of scripts) expect(existsSync(path.join(ROOT, script.replace(/\.js$/, '.ts')))).toBe(true);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('runs on Node 22 or 24 LTS, without the dev-only code (src/dev, the simulator stays for --profile sim)', () => {
    for (const stage of stages) expect(stage.split('\n')[0]).toMatch(/^node:\$\{NODE_VERSION\}-/);
    expect(/^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1]).toMatch(/^(22|24)$/);
    expect(stages[stages.length - 1]).toMatch(/rm -rf src\/dev/);
  });

  it('builds in one stage and runs production dependencies only, as a non-root user, in the last', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const final = stages[stages.length - 1]!;
    expect(final).toMatch(/npm ci --omit=dev/);
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/COPY --from=build/);
    expect(final).not.toMatch(/tsc/);
    expect(stages[0]).toMatch(/npm run build/);
    // npm run build: tsc on the production config, then the prebuilt workflow bundle the worker loads.
    expect(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.build).toMatch(
      /tsc -p tsconfig\.build\.json && node dist\/src\/workflow-bundle\.js/,
    );
  });

  it('starts the worker by default, with the heap limits and malloc setting of WORKER_NODE_FLAGS and WORKER_ENV', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(stages[stages.length - 1]!)?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', ...WORKER_NODE_FLAGS, 'src/worker.js']);
    for (const [name, value] of Object.entries(WORKER_ENV))
      expect(stages[stages.length - 1]).toMatch(new RegExp(`^ENV ${name}=${value}$`, 'm'));
  });

  it('uses a glibc base image: the Temporal core bridge has no musl build', () => {
    for (const stage of stages) expect(stage.split('\n')[0]).not.toMatch(/alpine/);
  });
});
