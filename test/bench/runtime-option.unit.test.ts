import { parseBenchOptions, UsageError } from '../../bench/lib/options';
import { runtimeLine } from '../../bench/lib/report';

// The bench measures what production runs unless asked otherwise, and its report says which code ran.
describe('bench runtime', () => {
  it('runs the compiled services by default; --runtime tsx asks for the tsx loader', () => {
    expect(parseBenchOptions([], {}).runtime).toBe('compiled');
    expect(parseBenchOptions(['--quick'], {}).runtime).toBe('compiled');
    expect(parseBenchOptions(['--runtime', 'tsx'], {}).runtime).toBe('tsx');
    expect(parseBenchOptions(['--runtime=compiled'], {}).runtime).toBe('compiled');
    expect(() => parseBenchOptions(['--runtime', 'bun'], {})).toThrow(UsageError);
  });

  it('states the runtime, NODE_ENV and the command lines in the report', () => {
    const line = runtimeLine({
      services: 'compiled',
      nodeEnv: 'production',
      commands: { api: 'node .data/compiled/src/api/main.js' },
    });
    expect(line).toMatch(/^- Services: compiled JavaScript .* under plain node, NODE_ENV=production: /);
    expect(line).toContain('api `node .data/compiled/src/api/main.js`');
    expect(runtimeLine({ services: 'tsx', nodeEnv: 'production', commands: {} })).toMatch(
      /tsx loader.*NODE_ENV=production\.$/,
    );
  });
});
