import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureComposeCli } from '../../devtools/compose-cli';
import { WORKER_PROCESS_ENV } from '../../src/worker/process-settings';
import { ORDER_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

// No Docker engine runs on CI machines, but the compose file can still be parsed and checked by `docker compose
// config`, which needs only the client and its compose plugin.
const root = path.resolve(__dirname, '..', '..');
// `npm test` builds a standalone compose into .tools/ first when the plugin is missing (scripts/compose-cli.ts).
const compose = ensureComposeCli(() => undefined);
/** The secrets docker-compose.yml requires; each test run without one of them must fail. */
const SECRETS = {
  ADMIN_TOKEN: 'admin-token-for-compose-config-check-0123456789',
  PAYMENT_WEBHOOK_SECRET: 'whsec-for-compose-config-check-0123456789',
  CARRIER_WEBHOOK_SECRET: 'whsec-carrier-for-compose-config-check-0123456789',
  AUTH_JWT_SECRET: 'jwt-secret-for-compose-config-check-0123456789',
  METRICS_TOKEN: 'metrics-token-for-compose-config-check-0123456789',
  CODEC_AUTH_TOKEN: 'codec-token-for-compose-config-check-0123456789',
  PAYLOAD_ENCRYPTION_KEYS: 'k1:for-compose-config-check-0123456789',
  POSTGRES_PASSWORD: 'postgres-password-for-compose-config-check',
};
const docker = (...args: string[]) => dockerWith(SECRETS, ...args);
function dockerWith(secrets: Partial<Record<keyof typeof SECRETS, string>>, ...args: string[]) {
  const [, ...composeArgs] = args; // args start with 'compose'
  // --env-file /dev/null: a developer's .env must not satisfy (or change) what is checked here.
  return spawnSync(compose!.command, [...compose!.args, '--env-file', '/dev/null', ...composeArgs], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
    // Only these variables: nothing from the caller's environment fills in a secret.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...secrets },
  });
}
const unavailable = compose ? undefined : 'neither docker compose nor Go (to build it) is available';
if (unavailable) {
  // Visible in the jest output, so a skipped check is never mistaken for a passed one.
  console.warn(`SKIPPED docker-compose.yml checks: ${unavailable}`);
}

(unavailable ? describe.skip : describe)('docker-compose.yml', () => {
  const config = () => {
    const out = docker('compose', 'config', '--format', 'json');
    expect(out.stderr).toBe('');
    return JSON.parse(out.stdout) as { services: Record<string, any> };
  };

  it('is valid for `docker compose config -q`', () => {
    const result = docker('compose', 'config', '-q');
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('refuses to render without each secret, naming it', () => {
    for (const name of Object.keys(SECRETS) as (keyof typeof SECRETS)[]) {
      const { [name]: _left, ...others } = SECRETS;
      const result = dockerWith(others, 'compose', 'config', '-q');
      expect({ name, status: result.status, names: result.stderr.includes(name) }).toEqual({ name, status: 1, names: true });
    }
  });

  it('publishes only the API on the network (a port range, so `--scale api=N` never clashes); Temporal, its UI and the codec server on 127.0.0.1 only', () => {
    const { services } = config();
    const published = Object.entries(services).flatMap(([name, service]) =>
      ((service.ports ?? []) as { host_ip?: string; published: string; target: number }[]).map((port) => ({ name, ...port })),
    );
    expect(published.filter((port) => port.host_ip !== '127.0.0.1')).toEqual([expect.objectContaining({ name: 'api', published: '3000-3009', target: 3000 })]);
    expect(published.filter((port) => port.host_ip === '127.0.0.1').map((port) => port.name).sort()).toEqual(['codec-server', 'temporal', 'temporal-ui']);
    for (const name of ['postgres', 'simulator', 'worker', 'migrate']) expect({ name, ports: services[name].ports }).toEqual({ name, ports: undefined });
  });

  it('passes the secrets to every app service and has no usable default for any of them', () => {
    const { services } = config();
    for (const name of ['api', 'worker', 'simulator', 'migrate']) {
      expect(services[name].environment).toMatchObject({
        ADMIN_TOKEN: SECRETS.ADMIN_TOKEN,
        PAYMENT_WEBHOOK_SECRET: SECRETS.PAYMENT_WEBHOOK_SECRET,
        CARRIER_WEBHOOK_SECRET: SECRETS.CARRIER_WEBHOOK_SECRET,
        AUTH_JWT_SECRET: SECRETS.AUTH_JWT_SECRET,
        PAYLOAD_ENCRYPTION_KEYS: SECRETS.PAYLOAD_ENCRYPTION_KEYS,
        METRICS_TOKEN: SECRETS.METRICS_TOKEN,
        AUTH_ISSUER: expect.any(String),
        AUTH_AUDIENCE: expect.any(String),
        NODE_ENV: 'production',
      });
    }
    // Issue #25 finding 5: the codec server listens beyond loopback inside its container, so it has its token.
    expect(services['codec-server'].environment).toMatchObject({ CODEC_HOST: '0.0.0.0', CODEC_AUTH_TOKEN: SECRETS.CODEC_AUTH_TOKEN });
    expect(services.postgres.environment.POSTGRES_PASSWORD).toBe(SECRETS.POSTGRES_PASSWORD);
    expect(services.temporal.environment.POSTGRES_PWD).toBe(SECRETS.POSTGRES_PASSWORD);
  });

  it('has PostgreSQL, Temporal on PostgreSQL, its UI, and the app services, each long-running one with a health check', () => {
    const { services } = config();
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'codec-server',
      'migrate',
      'postgres',
      'simulator',
      'temporal',
      'temporal-namespace',
      'temporal-schema',
      'temporal-ui',
      'worker',
    ]);
    for (const name of ['postgres', 'temporal', 'api', 'worker', 'simulator', 'codec-server']) {
      expect({ name, test: services[name].healthcheck?.test?.length > 0 }).toEqual({ name, test: true });
    }
    expect(services.postgres.image).toMatch(/^postgres:15/);
    // The plain server image, its schema set up by a step of its own with Temporal's SQL tool (not auto-setup).
    expect(services.temporal.image).toBe('temporalio/server:1.29.1');
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', DBNAME: 'temporal', VISIBILITY_DBNAME: 'temporal_visibility' });
    expect(services.temporal.depends_on['temporal-schema'].condition).toBe('service_completed_successfully');
    const schema = services['temporal-schema'];
    expect(schema.image).toMatch(/^temporalio\/admin-tools:1\.29\.1/);
    expect(schema.depends_on.postgres.condition).toBe('service_healthy');
    const script = schema.command.join(' ');
    for (const step of ['temporal-sql-tool create-database', 'temporal-sql-tool setup-schema -v 0.0', 'temporal-sql-tool update-schema']) expect(script).toContain(step);
    expect(script).toContain('temporal:postgresql/v12/temporal');
    expect(script).toContain('temporal_visibility:postgresql/v12/visibility');
    expect(schema.environment).toMatchObject({ SQL_PLUGIN: 'postgres12', SQL_HOST: 'postgres', SQL_PASSWORD: SECRETS.POSTGRES_PASSWORD });
    expect(services['temporal-ui'].ports).toContainEqual(expect.objectContaining({ host_ip: '127.0.0.1', published: '8233', target: 8080 }));
  });

  it('registers the default namespace and every search attribute the saga sets, with its type', () => {
    const { services } = config();
    const script = services['temporal-namespace'].command.join(' ');
    expect(script).toContain('temporal operator namespace create --namespace default');
    const cliType: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };
    for (const key of ORDER_SEARCH_ATTRIBUTES) expect(script).toContain(`${key.name}=${cliType[key.type]}`);
    expect(services['temporal-namespace'].depends_on.temporal.condition).toBe('service_healthy');
  });

  it('builds api, worker, simulator and migrate from the one Dockerfile, wired to each other', () => {
    const { services } = config();
    for (const name of ['api', 'worker', 'simulator', 'migrate']) {
      expect(services[name].build).toMatchObject({ context: root, dockerfile: 'Dockerfile', target: 'runtime' });
      expect(services[name].environment).toMatchObject({
        DATABASE_URL: expect.stringMatching(/@postgres:5432\/order_saga$/),
        TEMPORAL_ADDRESS: 'temporal:7233',
        PAYMENT_PROVIDER_URL: 'http://simulator:4010',
        NOTIFIER_URL: 'http://simulator:4010',
        SIM_WEBHOOK_URL: 'http://api:3000/webhooks/payments',
        CARRIER_URL: 'http://simulator:4010',
        SIM_CARRIER_WEBHOOK_URL: 'http://api:3000/webhooks/carrier',
        WORKFLOW_BUNDLE_PATH: '/app/dist/workflow-bundle.js',
      });
    }
    expect(services.api.depends_on.migrate.condition).toBe('service_completed_successfully');
    expect(services.worker.depends_on['temporal-namespace'].condition).toBe('service_completed_successfully');
    // Workers scale (`--scale worker=3`) only if they publish no host port.
    expect(services.worker.ports).toBeUndefined();
    expect(services.api.command).toEqual(['node', 'dist/src/api/main.js']);
    expect(services.worker.command).toEqual(['node', 'dist/src/worker/main.js']);
    // The worker's heap and malloc settings are the ones the launcher (and so the bench) starts it with.
    expect(services.worker.environment).toMatchObject(WORKER_PROCESS_ENV);
    expect(services.api.environment.NODE_OPTIONS).toBeUndefined();
    expect(services['codec-server'].command).toEqual(['node', 'dist/src/codec-server/main.js']);
    expect(services['temporal-ui'].environment).toMatchObject({ TEMPORAL_CODEC_ENDPOINT: 'http://localhost:8888/codec', TEMPORAL_CODEC_INCLUDE_CREDENTIALS: 'true' });
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const stage = (name: string) => {
    const start = text.indexOf(`AS ${name}`);
    const next = text.indexOf('\nFROM ', start);
    return text.slice(start, next < 0 ? undefined : next);
  };

  it('runs compiled JavaScript on Node 24 with production dependencies only, as a non-root user, with a health check', () => {
    expect(text).toMatch(/^ARG NODE_IMAGE=node:24[-.\w]*$/m);
    expect(stage('deps')).toMatch(/RUN npm ci --omit=dev/);
    expect(stage('build')).toMatch(/RUN npm ci\b[\s\S]*RUN npm run build/);
    // npm ci everywhere: the lockfile is complete, nothing is resolved anew in the image.
    expect(text).not.toMatch(/npm install/);
    const runtime = stage('runtime');
    expect(runtime).toMatch(/COPY --from=deps .*\/app\/node_modules \.\/node_modules/);
    expect(runtime).toMatch(/COPY --from=build .*\/app\/dist \.\/dist/);
    expect(runtime).toMatch(/WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle\.js/);
    expect(runtime).toMatch(/^USER (?!root\b)\S+/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).not.toMatch(/tsx/);
  });
});
