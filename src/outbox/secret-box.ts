import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../temporal/encryption-codec';

/**
 * Endpoint secrets at rest. The relay needs the secret itself to sign (an HMAC key cannot be stored hashed), so it
 * is sealed with AES-256-GCM under a key derived (HKDF, its own `info`) from the newest PAYLOAD_ENCRYPTION_KEYS
 * entry, and stored as `<keyId>:<base64 iv|tag|ciphertext>`. Any listed key opens what it sealed, so rotating the
 * payload keys keeps old endpoints working; a database dump alone reveals no secret.
 */
const INFO = 'order-saga webhook endpoint secret v1';

/** Derived once per key: the relay opens a secret at every delivery, and HKDF was a good part of what that cost. */
const derived = new WeakMap<EncryptionKey, Buffer>();

function derive(key: EncryptionKey): Buffer {
  let box = derived.get(key);
  if (!box) {
    box = Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), INFO, 32));
    derived.set(key, box);
  }
  return box;
}

export function sealSecret(secret: string, keys: readonly EncryptionKey[]): string {
  const [key] = keys;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(key), iv);
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${key.id}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
}

export function openSecret(sealed: string, keys: readonly EncryptionKey[]): string {
  const colon = sealed.indexOf(':');
  const key = keys.find((k) => k.id === sealed.slice(0, colon));
  if (!key) throw new Error(`no PAYLOAD_ENCRYPTION_KEYS entry "${sealed.slice(0, colon)}" to open an endpoint secret with`);
  const bytes = Buffer.from(sealed.slice(colon + 1), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', derive(key), bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}
