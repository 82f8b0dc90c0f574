import { Webhook } from 'standardwebhooks';
import { apiOpenApiDocument } from '../../src/api/app';
import { ORDER_EVENT_TYPES } from '../../src/outbox/event-types';
import { openSecret, sealSecret } from '../../src/outbox/secret-box';
import { checkWebhookUrl, isInternalAddress } from '../../src/outbox/url-guard';
import { DEV_ENCRYPTION_KEYS, parseEncryptionKeys } from '../../src/temporal/encryption-keys';
import type { EncryptionKey } from '../../src/temporal/encryption-codec';
import { newWebhookSecret, standardWebhookHeaders, verifyStandardWebhook } from '../../src/wire/standard-webhooks';
import { ORDER_STATUSES } from '../../workflows/order/state-machine';

describe('outbound webhook parts', () => {
  it('event types are derived from the state machine: order.<status in lower case>', () => {
    expect(ORDER_EVENT_TYPES).toEqual(ORDER_STATUSES.map((s) => `order.${s.toLowerCase()}`));
    expect(ORDER_EVENT_TYPES).toEqual(expect.arrayContaining(['order.awaiting_payment', 'order.paid', 'order.cancelled', 'order.needs_attention']));
  });

  it('signatures verify with the standardwebhooks package, with either secret during a rotation', () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const body = JSON.stringify({ type: 'order.paid', timestamp: new Date().toISOString(), data: { order: { id: 'x' } } });
    const headers = standardWebhookHeaders([current, previous], 'msg_1', Math.floor(Date.now() / 1000), body);
    expect(new Webhook(current).verify(body, headers)).toMatchObject({ type: 'order.paid' });
    expect(new Webhook(previous).verify(body, headers)).toMatchObject({ type: 'order.paid' });
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(verifyStandardWebhook(current, headers, body)).toBeUndefined();
    expect(verifyStandardWebhook(current, headers, `${body} `)).toBe('no signature matches');
  });

  it('secrets are sealed (never in clear) and open with the key that sealed them', () => {
    const keys = parseEncryptionKeys(DEV_ENCRYPTION_KEYS) as EncryptionKey[];
    const secret = newWebhookSecret();
    const sealed = sealSecret(secret, keys);
    expect(sealed).not.toContain(secret.slice(6));
    expect(openSecret(sealed, keys)).toBe(secret);
    const rotated = [{ id: 'new', key: Buffer.alloc(32, 7) }, ...keys];
    expect(openSecret(sealed, rotated)).toBe(secret);
    expect(() => openSecret(sealed, [{ id: 'other', key: Buffer.alloc(32, 1) }])).toThrow(/dev/);
  });

  it.each(['127.0.0.1', '10.0.0.5', '172.16.3.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1'])(
    '%s is internal',
    (address) => expect(isInternalAddress(address)).toBe(true),
  );

  it.each(['93.184.216.34', '2606:4700::1111'])('%s is public', (address) => expect(isInternalAddress(address)).toBe(false));

  it('production: https only, and a host that resolves inside the network is refused after resolution', async () => {
    const policy = (answers: string[]) => ({ production: true, allowPrivate: false, resolve: async () => answers });
    await expect(checkWebhookUrl('https://shop.example/hook', policy(['93.184.216.34']))).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookUrl('https://rebind.example/', policy(['93.184.216.34', '10.1.2.3']))).rejects.toMatchObject({ code: 'invalid_webhook_url' });
    await expect(checkWebhookUrl('http://shop.example/', policy(['93.184.216.34']))).rejects.toMatchObject({ code: 'invalid_webhook_url' });
    await expect(checkWebhookUrl('https://10.0.0.5/', { production: true, allowPrivate: true })).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookUrl('http://127.0.0.1:4010/', { production: false, allowPrivate: false })).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookUrl('file:///etc/passwd', { production: false, allowPrivate: false })).rejects.toMatchObject({ code: 'invalid_webhook_url' });
  });

  it('the OpenAPI 3.1 document declares the admin routes and every event payload under webhooks', () => {
    const doc = apiOpenApiDocument() as any;
    for (const path of ['/admin/webhook-endpoints', '/admin/webhook-endpoints/{id}', '/admin/webhook-endpoints/{id}/rotate-secret', '/admin/webhook-endpoints/{id}/replay', '/admin/webhook-messages', '/admin/webhook-messages/{id}/retry']) {
      expect(doc.paths[path]).toBeDefined();
    }
    expect(Object.keys(doc.webhooks).sort()).toEqual([...ORDER_EVENT_TYPES, 'refund.created', 'shipment.dispatched', 'return.received'].sort());
    expect(doc.webhooks['order.paid'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OrderEvent' });
    expect(doc.components.schemas.OrderEvent).toBeDefined();
    expect(doc.webhooks['refund.created'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RefundEvent' });
    expect(doc.webhooks['shipment.dispatched'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ShipmentEvent' });
    expect(doc.webhooks['return.received'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ReturnEvent' });
    expect(doc.components.schemas.RefundEvent.properties.data.properties.refund).toMatchObject({ $ref: '#/components/schemas/Refund' });
  });
});
