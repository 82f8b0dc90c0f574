/**
 * CPU per payload of the AES-256-GCM payload codec (src/temporal/encryption-codec.ts): every workflow task and client
 * call encrypts and decrypts a few payloads of about this size. Prints µs of CPU per payload for encode and decode.
 *
 *   npm run bench:codec -- [--payloads 90000]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../src/temporal/encryption-codec';

const { values } = parseArgs({ options: { payloads: { type: 'string', default: '90000' } } });
const total = Number(values.payloads);
const codec = new AesGcmPayloadCodec([{ id: 'bench', key: randomBytes(32) }]);
// A status change as the saga passes one to its local activity: a few hundred bytes of JSON.
const batch = Array.from({ length: 3 }, () =>
  defaultPayloadConverter.toPayload({ orderId: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d', change: { status: 'PAID', seq: 3, task: 11, paymentStatus: 'succeeded' } }),
);

async function cpuPerPayload(work: (payloads: Payload[]) => Promise<Payload[]>, input: Payload[]): Promise<number> {
  for (let i = 0; i < 2000; i++) await work(input); // warm-up
  const start = process.cpuUsage();
  const rounds = Math.ceil(total / input.length);
  for (let i = 0; i < rounds; i++) await work(input);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (rounds * input.length);
}

async function main() {
  const encoded = await codec.encode(batch);
  const encode = await cpuPerPayload((p) => codec.encode(p), batch);
  const decode = await cpuPerPayload((p) => codec.decode(p), encoded);
  console.log(`AES-256-GCM payload codec, ${total} payloads of ${batch[0].data!.length} bytes: encode ${encode.toFixed(2)} µs, decode ${decode.toFixed(2)} µs of CPU per payload`);
}

void main();
