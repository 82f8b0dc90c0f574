import { readFileSync } from 'node:fs';
import type { System } from '../../devtools/launcher';
import { launch, systemServices } from '../../devtools/launcher';
import { buildCompiled, COMPILED_DIR } from '../../devtools/launcher/compiled';
import { httpOk } from '../../devtools/launcher/ports';

// The launcher's `compiled` runtime (what the bench runs): tsc's JavaScript under plain node, no tsx loader, with the
// production settings of a free-ports run. The API and the simulator come up from it and answer.
const argv = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');

describe('the launcher’s compiled runtime', () => {
  let system: System | undefined;
  const services = systemServices({}).filter((s) => s.name === 'simulator' || s.name === 'api');

  beforeAll(async () => {
    system = await launch({
      name: 'compiled-test',
      databaseUrl: process.env.DATABASE_URL!,
      services,
      runtime: 'compiled',
      ports: 'free',
      logs: 'files',
      log: () => undefined,
    });
  }, 300_000);

  afterAll(async () => {
    await system?.stop({ removeWorkDir: true });
  });

  it('runs the compiled entries with plain node and NODE_ENV=production', () => {
    for (const [name, entry] of [
      ['api', 'src/api/main.js'],
      ['simulator', 'src/simulator/main.js'],
    ]) {
      const [pid] = system!.pids()[name];
      expect({ name, argv: argv(pid).slice(1) }).toEqual({ name, argv: [`${COMPILED_DIR}/${entry}`] });
      expect(environ(pid)).toContain('NODE_ENV=production');
    }
  });

  it('serves: the API and the simulator answer /healthz', async () => {
    expect(await httpOk(`${system!.apiUrl}/healthz`)).toBe(true);
    expect(await httpOk(`${system!.apiUrl}/readyz`)).toBe(true);
    expect(await httpOk(`${system!.simulatorUrl}/healthz`)).toBe(true);
  });

  it('does not compile again while the sources are unchanged', () => {
    expect(buildCompiled(services.map((s) => s.entry)).built).toBe(false);
  });
});
