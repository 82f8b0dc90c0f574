import type { EncryptionKey } from './encryption-codec';

/**
 * The development key: public (it is in this file), so it protects nothing; it only keeps encryption on in
 * development and tests. NODE_ENV=production refuses it (src/config.ts).
 */
export const DEV_ENCRYPTION_KEY_ID = 'dev';
export const DEV_ENCRYPTION_KEYS = `${DEV_ENCRYPTION_KEY_ID}:${Buffer.alloc(32, 'order-saga-development-key-only!').toString('base64')}`;

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Parses PAYLOAD_ENCRYPTION_KEYS: `id:base64key` entries, comma-separated, newest first (it encrypts; all decrypt).
 * Returns the problem as text rather than throwing, so the config schema can name the variable.
 */
export function parseEncryptionKeys(text: string): EncryptionKey[] | string {
  const keys: EncryptionKey[] = [];
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    // Named by position only: an entry without its id may be a bare key, and no part of a key is ever printed.
    if (!KEY_ID.test(id)) return `expected "keyId:base64Key" entries separated by commas; entry ${index + 1} of ${entries.length} has no valid key id (1–64 of A-Z a-z 0-9 . _ -)`;
    const encoded = entry.slice(colon + 1);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
      return `key "${id}" must be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`), got ${key.length} bytes`;
    }
    if (keys.some((k) => k.id === id)) return `key id "${id}" appears twice`;
    keys.push({ id, key });
  }
  if (keys.length === 0) return 'at least one key is needed';
  return keys;
}

/** True when the development key is among `keys` (by id or by value). */
export function includesDevKey(keys: EncryptionKey[]): boolean {
  const dev = parseEncryptionKeys(DEV_ENCRYPTION_KEYS) as EncryptionKey[];
  return keys.some((k) => k.id === DEV_ENCRYPTION_KEY_ID || k.key.equals(dev[0].key));
}
