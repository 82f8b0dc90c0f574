import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import { temporalDataConverter } from '../../src/temporal/data-converter';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, PayloadDecryptionError } from '../../src/temporal/encryption-codec';
import { DEV_ENCRYPTION_KEYS, parseEncryptionKeys } from '../../src/temporal/encryption-keys';
import { PRODUCTION_SAFE_ENV } from '../harness/production-env';

const key = (id: string) => ({ id, key: randomBytes(32) });
const text = (p: Payload) => Buffer.from(p.data ?? []).toString('utf8');
const order = { customerEmail: 'ada@example.com', paymentToken: 'tok_visa', amountCents: 4321 };

describe('AES-GCM payload codec', () => {
  it('round-trips payloads, and the ciphertext shows neither the data nor its JSON encoding', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const plain = [defaultPayloadConverter.toPayload(order), defaultPayloadConverter.toPayload(null)];
    const encoded = await codec.encode(plain);
    for (const p of encoded) {
      expect(Buffer.from(p.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(p.metadata!['encryption-key-id']!).toString()).toBe('k1');
      expect(text(p)).not.toContain('ada@example.com');
      expect(text(p)).not.toContain('json/plain');
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([order, null]);
  });

  it('encrypts the same payload differently each time (random IV)', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const [a, b] = await codec.encode([defaultPayloadConverter.toPayload(order), defaultPayloadConverter.toPayload(order)]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('never uses an IV twice, across the blocks of IVs drawn from the CSPRNG, and every payload decrypts', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const plain = Array.from({ length: 3000 }, (_, i) => defaultPayloadConverter.toPayload({ i }));
    const encoded = [...(await codec.encode(plain.slice(0, 1500))), ...(await codec.encode(plain.slice(1500)))];
    const ivs = new Set(encoded.map((p) => Buffer.from(p.data!).subarray(0, 12).toString('hex')));
    expect(ivs.size).toBe(3000);
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(plain.map((_, i) => ({ i })));
  });

  it('rotates: the first key encrypts, older keys still decrypt what they wrote', async () => {
    const old = key('k0');
    const current = key('k1');
    const [written] = await new AesGcmPayloadCodec([old]).encode([defaultPayloadConverter.toPayload(order)]);
    const rotated = new AesGcmPayloadCodec([current, old]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([written]))[0])).toEqual(order);
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload(order)]);
    expect(Buffer.from(fresh.metadata!['encryption-key-id']!).toString()).toBe('k1');
  });

  it('names an unknown key id', async () => {
    const [written] = await new AesGcmPayloadCodec([key('gone')]).encode([defaultPayloadConverter.toPayload(order)]);
    const decoding = new AesGcmPayloadCodec([key('k1')]).decode([written]);
    await expect(decoding).rejects.toThrow(PayloadDecryptionError);
    await expect(new AesGcmPayloadCodec([key('k1')]).decode([written])).rejects.toThrow(/key id "gone", which PAYLOAD_ENCRYPTION_KEYS does not hold/);
  });

  it('refuses altered ciphertext, and ciphertext moved under another key id', async () => {
    const k = key('k1');
    const codec = new AesGcmPayloadCodec([k, { id: 'k2', key: k.key }]);
    const [written] = await codec.encode([defaultPayloadConverter.toPayload(order)]);
    const flipped = Buffer.from(written.data!);
    flipped[20] ^= 1;
    await expect(codec.decode([{ ...written, data: flipped }])).rejects.toThrow(/failed authentication/);
    const moved = { ...written, metadata: { ...written.metadata, 'encryption-key-id': Buffer.from('k2') } };
    await expect(codec.decode([moved])).rejects.toThrow(/failed authentication/);
  });

  it('refuses payloads that were never encrypted (someone wrote them without the keys); the codec server may show them', async () => {
    const plain = defaultPayloadConverter.toPayload(order);
    await expect(new AesGcmPayloadCodec([key('k1')]).decode([plain])).rejects.toThrow(PayloadDecryptionError);
    await expect(new AesGcmPayloadCodec([key('k1')]).decode([plain])).rejects.toThrow(/not encrypted/);
    expect(await new AesGcmPayloadCodec([key('k1')], { passPlaintext: true }).decode([plain])).toEqual([plain]);
  });
});

describe('PAYLOAD_ENCRYPTION_KEYS', () => {
  const b64 = () => randomBytes(32).toString('base64');

  it('parses id:base64 entries, newest first', () => {
    const keys = parseEncryptionKeys(`k1:${b64()}, k0:${b64()}`);
    expect(Array.isArray(keys) && keys.map((k) => k.id)).toEqual(['k1', 'k0']);
  });

  it.each([
    ['no key id', b64(), /no valid key id/],
    ['a short key', `k1:${randomBytes(16).toString('base64')}`, /must be 32 bytes/],
    ['a repeated id', `k1:${b64()},k1:${b64()}`, /appears twice/],
  ])('refuses %s, naming the variable', (_what, value, message) => {
    expect(() => loadConfig({ PAYLOAD_ENCRYPTION_KEYS: value })).toThrow(/PAYLOAD_ENCRYPTION_KEYS/);
    expect(() => loadConfig({ PAYLOAD_ENCRYPTION_KEYS: value })).toThrow(message);
  });

  it('defaults to the development key, which NODE_ENV=production refuses', () => {
    expect(loadConfig({}).PAYLOAD_ENCRYPTION_KEYS[0].id).toBe('dev');
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PAYLOAD_ENCRYPTION_KEYS: NODE_ENV=production refuses the development/);
    expect(() => loadConfig({ NODE_ENV: 'production', PAYLOAD_ENCRYPTION_KEYS: `k1:${b64()},${DEV_ENCRYPTION_KEYS}` })).toThrow(/PAYLOAD_ENCRYPTION_KEYS/);
    expect(loadConfig({ ...PRODUCTION_SAFE_ENV, PAYLOAD_ENCRYPTION_KEYS: `k1:${b64()}` }).PAYLOAD_ENCRYPTION_KEYS[0].id).toBe('k1');
  });

  it('turns encryption off only outside production', () => {
    const off = loadConfig({ PAYLOAD_ENCRYPTION: 'off' });
    const converter = temporalDataConverter(off);
    expect(converter.payloadCodecs ?? []).toHaveLength(0);
    expect(temporalDataConverter(loadConfig({})).payloadCodecs).toHaveLength(1);
    expect(() => loadConfig({ NODE_ENV: 'production', PAYLOAD_ENCRYPTION_KEYS: `k1:${b64()}`, PAYLOAD_ENCRYPTION: 'off' })).toThrow(
      /PAYLOAD_ENCRYPTION: NODE_ENV=production refuses PAYLOAD_ENCRYPTION=off/,
    );
  });
});
