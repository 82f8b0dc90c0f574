import { planPorts, systemServices } from '../../devtools/launcher';
import { loadConfig } from '../../src/config';

// How `WORKERS=N API_INSTANCES=M npm start` lays its processes out on the settings' ports.
describe('launcher port plan', () => {
  const fromSettings = (env: Record<string, string> = {}) => {
    const config = loadConfig(env);
    return (key: string) => Number(config[key as keyof typeof config] ?? 0);
  };

  it('gives every instance ports of its own, after the first instance’s', async () => {
    const plan = await planPorts(systemServices({ workers: 2, apiInstances: 3 }), fromSettings());
    expect(Object.fromEntries(plan)).toEqual({
      'codec-server': { CODEC_PORT: 8888 },
      simulator: { SIMULATOR_PORT: 4010 },
      'worker-1': { WORKER_METRICS_PORT: 9464, WORKER_SDK_METRICS_PORT: 9465 },
      'worker-2': { WORKER_METRICS_PORT: 9466, WORKER_SDK_METRICS_PORT: 9467 },
      'api-1': { PORT: 3000 },
      'api-2': { PORT: 3001 },
      'api-3': { PORT: 3002 },
    });
  });

  it('keeps a port turned off (0) off for every instance', async () => {
    const plan = await planPorts(systemServices({ workers: 2 }), fromSettings({ WORKER_SDK_METRICS_PORT: '0' }));
    expect(plan.get('worker-2')).toEqual({ WORKER_METRICS_PORT: 9466, WORKER_SDK_METRICS_PORT: 0 });
  });

  it('refuses two processes on one port, naming both', async () => {
    await expect(planPorts(systemServices({ workers: 2 }), fromSettings({ PORT: '9466' }))).rejects.toThrow(
      /port 9466 is wanted by both worker-2 \(WORKER_METRICS_PORT\) and api \(PORT\)/,
    );
    await expect(
      planPorts(systemServices({}), fromSettings({ PORT: '7233' }), [[7233, 'Temporal (TEMPORAL_ADDRESS)']]),
    ).rejects.toThrow(/Temporal \(TEMPORAL_ADDRESS\) and api \(PORT\)/);
  });

  it('picks distinct free ports when asked to', async () => {
    const plan = await planPorts(systemServices({ workers: 2, apiInstances: 2 }));
    const ports = [...plan.values()].flatMap((p) => Object.values(p));
    expect(ports).toHaveLength(8); // codec server, simulator, 2 workers × 2, 2 APIs
    expect(new Set(ports).size).toBe(8);
    expect(ports.every((p) => p > 0)).toBe(true);
  });
});
