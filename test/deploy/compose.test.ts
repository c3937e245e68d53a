// docker-compose.yml, checked by a real Compose implementation that needs no engine: Debian's docker-compose
// answers `config` (interpolation, schema validation, profiles) without a Docker daemon. No image is built here.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../../src/worker';
import { debianTool } from '../support/debian-package';

const ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const ENV_EXAMPLE = path.join(ROOT, '.env.example');
const compose = debianTool('docker-compose', 'docker-compose');
const describeWithCompose = 'skip' in compose ? describe.skip : describe;
if ('skip' in compose) console.warn(`Compose file test skipped: ${compose.skip}`);

const SECRETS = {
  POSTGRES_PASSWORD: 'pg-test-password',
  ALMA_API_KEY: 'alma-test-key',
  RELINK_CODEC_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
};

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
    ({ services, volumes } = parse(stdout) as { services: Record<string, Service>; volumes: Record<string, unknown> });
  });

  it('is valid Compose, with every service of the stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['alma-sim', 'codec-server', 'postgresql', 'temporal', 'temporal-ui', 'worker'].sort(),
    );
    expect(services.temporal!.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    expect(services.postgresql!.image).toMatch(/^postgres:/);
  });

  it('refuses to start without each required secret, and names it', async () => {
    for (const name of Object.keys(SECRETS)) {
      const without = Object.fromEntries(Object.entries(SECRETS).filter(([k]) => k !== name));
      const run = composeConfig(without);
      await expect(run).rejects.toThrow(new RegExp(`set ${name} in \\.env`));
    }
  });

  it('gives every service a health check, and starts each after what it needs is healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, test: service.healthcheck?.test?.length ?? 0 }).toEqual({ name, test: expect.any(Number) });
      expect(service.healthcheck!.test.length).toBeGreaterThan(1);
    }
    expect(services.temporal!.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(services['temporal-ui']!.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(services.worker!.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(services.worker!.healthcheck!.test).toEqual(['CMD', 'node', 'src/health.js', 'worker']);
  });

  it('keeps PostgreSQL data in a named volume', () => {
    expect(Object.keys(volumes)).toEqual(['postgres-data']);
    const mounts = (services.postgresql!.volumes ?? []).map((v) =>
      typeof v === 'string' ? v : `${v.source}:${v.target}`,
    );
    expect(mounts.some((m) => m.startsWith('postgres-data:/var/lib/postgresql/data'))).toBe(true);
  });

  it('puts the simulator behind the opt-in sim profile, and nothing else', () => {
    expect(services['alma-sim']!.profiles).toEqual(['sim']);
    for (const [name, service] of Object.entries(services)) {
      if (name !== 'alma-sim') expect({ name, profiles: service.profiles }).toEqual({ name, profiles: undefined });
    }
    expect(services['alma-sim']!.environment!.ALMA_SIM_API_KEY).toBe(SECRETS.ALMA_API_KEY);
  });

  it('points the Web UI at the codec server, which admits the Web UI origin only', () => {
    const ui = services['temporal-ui']!.environment!;
    const codec = services['codec-server']!.environment!;
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe('http://localhost:8888');
    expect(codec.RELINK_CODEC_CORS_ORIGINS).toBe('http://localhost:8080');
    expect(codec.RELINK_CODEC_KEYS).toBe(SECRETS.RELINK_CODEC_KEYS);
    expect(services.worker!.environment!.RELINK_CODEC_KEYS).toBe(SECRETS.RELINK_CODEC_KEYS);
  });

  it('takes its settings from the environment, with defaults for everything but secrets', async () => {
    const { stdout } = await composeConfig({
      ...SECRETS,
      TEMPORAL_UI_PUBLIC_URL: 'https://temporal.library.example.edu',
      RELINK_CODEC_PUBLIC_URL: 'https://codec.library.example.edu',
      TEMPORAL_NAMESPACE: 'relink',
      TEMPORAL_ADDRESS: 'relink.a1b2c.tmprl.cloud:7233',
      TEMPORAL_API_KEY: 'cloud-api-key',
    });
    const s = (parse(stdout) as { services: Record<string, Service> }).services;
    expect(s['temporal-ui']!.environment!.TEMPORAL_CODEC_ENDPOINT).toBe('https://codec.library.example.edu');
    expect(s['codec-server']!.environment!.RELINK_CODEC_CORS_ORIGINS).toBe('https://temporal.library.example.edu');
    expect(s.temporal!.environment!.DEFAULT_NAMESPACE).toBe('relink');
    expect(s.worker!.environment).toMatchObject({
      TEMPORAL_NAMESPACE: 'relink',
      TEMPORAL_ADDRESS: 'relink.a1b2c.tmprl.cloud:7233',
      TEMPORAL_API_KEY: 'cloud-api-key',
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
