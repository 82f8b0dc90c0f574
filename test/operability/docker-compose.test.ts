import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureComposeCli } from '../../devtools/compose-cli';
import { ORDER_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

// No Docker engine runs on CI machines, but the compose file can still be parsed and checked by `docker compose
// config`, which needs only the client and its compose plugin.
const root = path.resolve(__dirname, '..', '..');
// `npm test` builds a standalone compose into .tools/ first when the plugin is missing (scripts/compose-cli.ts).
const compose = ensureComposeCli(() => undefined);
const docker = (...args: string[]) => {
  const [, ...composeArgs] = args; // args start with 'compose'
  return spawnSync(compose!.command, [...compose!.args, ...composeArgs], { cwd: root, encoding: 'utf8', timeout: 30_000 });
};
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

  it('has PostgreSQL, Temporal on PostgreSQL, its UI, and the app services, each long-running one with a health check', () => {
    const { services } = config();
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'migrate',
      'postgres',
      'simulator',
      'temporal',
      'temporal-search-attributes',
      'temporal-ui',
      'worker',
    ]);
    for (const name of ['postgres', 'temporal', 'api', 'worker', 'simulator']) {
      expect({ name, test: services[name].healthcheck?.test?.length > 0 }).toEqual({ name, test: true });
    }
    expect(services.postgres.image).toMatch(/^postgres:15/);
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(services.temporal.depends_on.postgres.condition).toBe('service_healthy');
    expect(services['temporal-ui'].ports).toContainEqual(expect.objectContaining({ published: '8233', target: 8080 }));
  });

  it('registers every search attribute the saga sets, with its type', () => {
    const { services } = config();
    const script = services['temporal-search-attributes'].command.join(' ');
    const cliType: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };
    for (const key of ORDER_SEARCH_ATTRIBUTES) expect(script).toContain(`${key.name}=${cliType[key.type]}`);
    expect(services['temporal-search-attributes'].depends_on.temporal.condition).toBe('service_healthy');
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
        WORKFLOW_BUNDLE_PATH: '/app/dist/workflow-bundle.js',
      });
    }
    expect(services.api.depends_on.migrate.condition).toBe('service_completed_successfully');
    expect(services.worker.depends_on['temporal-search-attributes'].condition).toBe('service_completed_successfully');
    // Workers scale (`--scale worker=3`) only if they publish no host port.
    expect(services.worker.ports).toBeUndefined();
    expect(services.api.command).toEqual(['node', 'dist/src/api/main.js']);
    expect(services.worker.command).toEqual(['node', 'dist/src/worker/main.js']);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const runtime = text.slice(text.indexOf('AS runtime'));

  it('builds in a build stage and runs compiled JavaScript with production dependencies as a non-root user', () => {
    expect(text).toMatch(/AS build[\s\S]*RUN npm run build/);
    expect(runtime).toMatch(/--omit=dev/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(runtime).toMatch(/WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle\.js/);
    expect(runtime).toMatch(/^USER (?!root\b)\S+/m);
    expect(runtime).not.toMatch(/tsx/);
  });
});
