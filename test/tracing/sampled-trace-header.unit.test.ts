import { defaultPayloadConverter } from '@temporalio/common';
import { sampledTrace } from '../../workflows/trace-header';

const header = (carrier: unknown) => ({ '_tracer-data': defaultPayloadConverter.toPayload(carrier) });
const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
const span = '00f067aa0ba902b7';

// The saga loads OpenTelemetry only for a trace that is kept: the W3C traceparent's sampled flag decides.
describe('sampledTrace', () => {
  it('reads the sampled flag of the starter’s traceparent', () => {
    expect(sampledTrace(header({ traceparent: `00-${trace}-${span}-01` }))).toBe(true);
    expect(sampledTrace(header({ traceparent: `00-${trace}-${span}-00` }))).toBe(false);
    // Other flag bits do not matter, only bit 0.
    expect(sampledTrace(header({ traceparent: `00-${trace}-${span}-02` }))).toBe(false);
    expect(sampledTrace(header({ traceparent: `00-${trace}-${span}-03` }))).toBe(true);
  });

  it('counts a header it cannot read as sampled (OpenTelemetry then decides, as before)', () => {
    expect(sampledTrace(header({}))).toBe(true);
    expect(sampledTrace(header({ traceparent: 'garbage' }))).toBe(true);
    expect(sampledTrace(header('not an object'))).toBe(true);
    expect(sampledTrace({ '_tracer-data': { metadata: { encoding: new Uint8Array([1, 2]) }, data: new Uint8Array([0xff]) } })).toBe(true);
  });
});
