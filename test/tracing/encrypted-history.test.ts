import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { codecCorsOrigins, createCodecServerApp } from '../../src/codec-server/app';
import { AesGcmPayloadCodec } from '../../src/temporal/encryption-codec';
import type { AppRequest } from '../harness/http';
import { inProcess } from '../harness/http';
import { acceptedOrder } from '../harness/orders';
import { useStack } from '../harness/stack';
import { testLogger } from '../harness/env';

type RawPayload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };
const b64 = (bytes?: Uint8Array | null) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
const asJson = (p: RawPayload) => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) });

/** Every string and every byte string (read as UTF-8) in the history, leaving out the named subtrees. */
function texts(value: unknown, skip: Set<string>, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) value.forEach((v) => texts(v, skip, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (!skip.has(k)) texts(v, skip, out);
  }
  return out;
}

describe('order payloads in Temporal are encrypted; the codec server decodes them', () => {
  const TOKEN = 'codec-test-token-0123456789';
  const stack = useStack({ PAYMENT_TIMEOUT: '10s', CANCEL_WINDOW: '200ms', SIM_WEBHOOK_DELAY_MS: '20' });
  let codec: AppRequest;
  let raw: Client;
  beforeAll(async () => {
    const app = createCodecServerApp({
      codec: new AesGcmPayloadCodec(stack.config.PAYLOAD_ENCRYPTION_KEYS),
      logger: testLogger(),
      corsOrigins: codecCorsOrigins({ TEMPORAL_UI_URL: 'http://127.0.0.1:8233' }),
      authToken: TOKEN,
    });
    codec = inProcess(app);
    // What anyone with Web UI or CLI access sees: a client with no codec.
    raw = new Client({ connection: await Connection.connect({ address: stack.config.TEMPORAL_ADDRESS }), namespace: stack.config.TEMPORAL_NAMESPACE });
  });
  afterAll(async () => {
    await raw?.connection.close();
  });

  it('the history read without the codec holds no email, token or amount; the codec server decodes its input', async () => {
    const priceCents = 1_234_567; // a total no id or timestamp will contain by chance
    const product = await stack.createProduct({ stock: 3, priceCents });
    const email = `secret-${randomUUID().slice(0, 8)}@example.com`;
    const token = 'tok_visa'; // the simulator's test card that pays
    const order = await acceptedOrder(stack, { by: 'admin', customer: 'cust-codec', email, product: product.id, token }, 'COMPLETED');

    const history = await raw.workflow.getHandle(order.workflowId).fetchHistory();
    // Search attributes are clear text by design (order id, status, total, customer id): left out of the scan. Local
    // activity markers keep Core's own bookkeeping (sequence, type, times) in clear; their results are encrypted.
    const seen = texts(history, new Set(['searchAttributes', 'upsertWorkflowSearchAttributesEventAttributes'])).join('\n');
    expect(seen).toContain('binary/encrypted');
    expect(seen).not.toContain(email);
    expect(seen).not.toContain(token);
    expect(seen).not.toContain(String(priceCents));

    const started = history.events!.find((e) => e.workflowExecutionStartedEventAttributes)!.workflowExecutionStartedEventAttributes!;
    const decode = (headers: Record<string, string>) =>
      codec('/codec/decode', {
        body: { payloads: started.input!.payloads!.map(asJson) },
        headers: { 'x-namespace': stack.config.TEMPORAL_NAMESPACE, ...headers },
      });
    expect((await decode({})).status).toBe(401);
    expect((await decode({ authorization: 'Bearer wrong-token-of-same-size!' })).status).toBe(401);
    const decoded = await decode({ authorization: `Bearer ${TOKEN}` });
    expect(decoded.status).toBe(200);
    const input = defaultPayloadConverter.fromPayload({
      metadata: Object.fromEntries(Object.entries(decoded.body.payloads[0].metadata as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(decoded.body.payloads[0].data, 'base64'),
    });
    expect(input).toMatchObject({ orderId: order.id, customerEmail: email, paymentToken: token, items: [{ productId: product.id, quantity: 1 }] });

    // …and back: what /codec/encode returns, /codec/decode reads.
    const auth = { authorization: `Bearer ${TOKEN}` };
    const encoded = await codec('/codec/encode', { body: { payloads: decoded.body.payloads }, headers: auth });
    expect(encoded.status).toBe(200);
    expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    const again = await codec('/codec/decode', { body: encoded.body, headers: auth });
    expect(again.body.payloads).toEqual(decoded.body.payloads);
  });

  it('answers the Web UI: CORS preflight with credentials, and refusals as JSON errors', async () => {
    const preflight = await codec('/codec/decode', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('x-namespace'));
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('authorization'));

    const stranger = await codec('/codec/decode', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();

    const auth = { authorization: `Bearer ${TOKEN}`, origin: 'http://127.0.0.1:8233' };
    const bad = await codec('/codec/decode', { body: { payloads: 'nope' }, headers: auth });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'validation_failed' });
    expect(bad.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');

    const foreign = await new AesGcmPayloadCodec([{ id: 'elsewhere', key: Buffer.alloc(32, 7) }]).encode([defaultPayloadConverter.toPayload('x')]);
    const unknown = await codec('/codec/decode', { body: { payloads: foreign.map(asJson) }, headers: auth });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ error: 'undecodable_payload', message: expect.stringContaining('"elsewhere"') });
  });
});
