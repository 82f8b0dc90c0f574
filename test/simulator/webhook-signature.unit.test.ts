import { createHmac } from 'node:crypto';
import { signWebhookPayload, verifyWebhookSignature } from '../../src/wire/webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_unit_test_secret';
  const body = Buffer.from('{"id":"evt_1","type":"payment.succeeded"}');
  const t = 1_700_000_000;

  it('signs as t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body.toString()}`).digest('hex');
    expect(signWebhookPayload(secret, body, t)).toBe(`t=${t},v1=${expected}`);
    // A string body and its bytes sign the same.
    expect(signWebhookPayload(secret, body.toString(), t)).toBe(signWebhookPayload(secret, body, t));
  });

  it('verifies its own signature within the tolerance, in either direction', () => {
    const header = signWebhookPayload(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body, t)).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, t + 300)).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, t - 300)).toBe(true);
  });

  it('rejects a wrong secret, a tampered body and a stale or future timestamp', () => {
    const header = signWebhookPayload(secret, body, t);
    expect(verifyWebhookSignature('whsec_other_secret', header, body, t)).toBe(false);
    expect(verifyWebhookSignature(secret, header, Buffer.from(body.toString().replace('evt_1', 'evt_2')), t)).toBe(
      false,
    );
    expect(verifyWebhookSignature(secret, header, body, t + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, t - 301)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, t + 10, 5)).toBe(false);
  });

  it('rejects a signature whose timestamp was changed after signing', () => {
    const header = signWebhookPayload(secret, body, t).replace(`t=${t}`, `t=${t + 1}`);
    expect(verifyWebhookSignature(secret, header, body, t)).toBe(false);
  });

  it('accepts any one of several v1 signatures (secret rotation) and ignores other schemes', () => {
    const good = signWebhookPayload(secret, body, t).split(',')[1];
    const stale = signWebhookPayload('whsec_old_secret_', body, t).split(',')[1];
    expect(verifyWebhookSignature(secret, `t=${t},${stale},${good}`, body, t)).toBe(true);
    expect(verifyWebhookSignature(secret, `t=${t}, v0=abc, ${good}`, body, t)).toBe(true);
    expect(verifyWebhookSignature(secret, `t=${t},${stale}`, body, t)).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['garbage', 'not a signature'],
    ['no timestamp', `v1=${'a'.repeat(64)}`],
    ['no v1', `t=${t}`],
    ['non-numeric timestamp', `t=abc,v1=${'a'.repeat(64)}`],
    ['short hex', `t=${t},v1=abcd`],
    ['non-hex', `t=${t},v1=${'z'.repeat(64)}`],
    ['two timestamps', `t=${t},t=${t + 1},v1=${'a'.repeat(64)}`],
  ])('returns false, without throwing, for a %s header', (_name, header) => {
    expect(verifyWebhookSignature(secret, header, body, t)).toBe(false);
  });

  it('refuses to sign with a timestamp that is not whole seconds', () => {
    expect(() => signWebhookPayload(secret, body, 1.5)).toThrow(RangeError);
  });
});
