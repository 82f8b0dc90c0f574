import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * Encrypts every payload the project's Temporal clients and workers send (workflow inputs, activity arguments and
 * results, update and signal arguments, summaries) with AES-256-GCM, so the server, the Web UI and the CLI only
 * ever hold ciphertext. The whole payload (its metadata and data) is serialised and encrypted; the outer payload
 * carries the encoding and the id of the key, and nothing else.
 *
 * Codecs run outside the workflow sandbox (in the client and the worker's main thread), so Node's crypto is fine.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA_KEY = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** A payload that cannot be decrypted: a key this process does not hold, or ciphertext that fails authentication. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ENCRYPTED_ENCODING_BYTES = encoder.encode(ENCRYPTED_ENCODING);

/**
 * IVs come from the CSPRNG in blocks of IV_BLOCK of them, each handed out once: a call into the CSPRNG per payload
 * was a sizeable part of the codec's CPU (every workflow task encrypts several payloads). The same randomness, fewer
 * calls; GCM needs an IV never used twice with a key, which 96 random bits per payload give.
 */
const IV_BLOCK = 512;
let ivs = Buffer.alloc(0);
let nextIvAt = 0;

function freshIv(): Buffer {
  if (nextIvAt + IV_BYTES > ivs.length) {
    ivs = randomBytes(IV_BYTES * IV_BLOCK);
    nextIvAt = 0;
  }
  const iv = ivs.subarray(nextIvAt, nextIvAt + IV_BYTES);
  nextIvAt += IV_BYTES;
  return iv;
}

export interface CodecOptions {
  /**
   * Pass payloads that were never encrypted through instead of refusing them. Only for showing histories (the codec
   * server, for the Web UI): a worker or client that took them in would act on what anyone with namespace access
   * could write without the keys.
   */
  passPlaintext?: boolean;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly encrypting: EncryptionKey;
  /** The encrypting key's id as the AAD and the outer payload's metadata carry it, encoded once. */
  private readonly encryptingId: { aad: Buffer; metadata: Uint8Array };
  private readonly byId: Map<string, Buffer>;
  private readonly passPlaintext: boolean;

  /** `keys[0]` encrypts; every key decrypts, so a new key goes first and the old ones stay until retention ends. */
  constructor(keys: EncryptionKey[], options: CodecOptions = {}) {
    this.passPlaintext = options.passPlaintext ?? false;
    if (keys.length === 0) throw new Error('AesGcmPayloadCodec needs at least one key');
    for (const { id, key } of keys) {
      if (key.length !== KEY_BYTES) throw new Error(`encryption key "${id}" is ${key.length} bytes; AES-256 needs ${KEY_BYTES}`);
    }
    this.encrypting = keys[0];
    this.encryptingId = { aad: Buffer.from(keys[0].id), metadata: encoder.encode(keys[0].id) };
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const { key } = this.encrypting;
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = freshIv();
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The key id is authenticated too: moving ciphertext under another key id fails, it never decrypts to garbage.
    cipher.setAAD(this.encryptingId.aad);
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      // Fresh arrays per payload: whoever holds the payload may serialise or alter it.
      metadata: { [METADATA_ENCODING_KEY]: ENCRYPTED_ENCODING_BYTES.slice(), [KEY_ID_METADATA_KEY]: this.encryptingId.metadata.slice() },
      data,
    };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) {
      // Written by someone without the keys (a client without the codec, `temporal workflow signal`): refused, so the
      // workflow task that would take it in fails visibly. Every history of this project was written encrypted.
      if (this.passPlaintext) return payload;
      throw new PayloadDecryptionError('a payload was not encrypted (no binary/encrypted encoding): refused while PAYLOAD_ENCRYPTION is on');
    }
    const rawId = payload.metadata?.[KEY_ID_METADATA_KEY];
    if (!rawId) throw new PayloadDecryptionError('an encrypted payload has no encryption-key-id in its metadata');
    const id = decoder.decode(rawId);
    const key = this.byId.get(id);
    if (!key) {
      throw new PayloadDecryptionError(
        `a payload was encrypted with key id "${id}", which PAYLOAD_ENCRYPTION_KEYS does not hold (known: ${[...this.byId.keys()].join(', ')})`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`an encrypted payload (key id "${id}") is too short`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`an encrypted payload (key id "${id}") failed authentication: it was altered or the key is wrong`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}
