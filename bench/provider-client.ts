/**
 * CPU per request of the provider clients' JSON exchange (src/payments/http-json.ts over src/keep-alive-client.ts)
 * against fetch() (undici) doing the same exchange: a POST of a charge-sized JSON body, a JSON answer read and
 * parsed. The worker makes a few such requests per order (the charge, the notification). The provider answers from
 * a child process, so only the client's CPU is counted here; the two clients take turns, round by round.
 *
 *   npm run bench:provider-client -- [--requests 4000] [--rounds 3] [--concurrency 4]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { JsonHttpClient, ProviderHttpError } from '../src/payments/http-json';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '4000' }, rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '4' } },
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);

/** A provider that answers every request with a payment-sized JSON body, on a port it prints. */
const PROVIDER = `
const body = JSON.stringify({ id: 'pay_0123456789abcdef', orderId: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d', status: 'pending', amountCents: 4500, currency: 'USD' });
const server = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body));
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

const Payment = z.object({ id: z.string(), status: z.string() });
const charge = { orderId: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d', customerId: 'cust-42', amountCents: 4500, currency: 'USD', token: 'tok_visa', idempotencyKey: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d' };

async function cpuPerRequest(send: () => Promise<unknown>): Promise<number> {
  let left = requests;
  const start = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await send();
    }),
  );
  const used = process.cpuUsage(start);
  return (used.user + used.system) / requests;
}

async function main() {
  const provider = spawn(process.execPath, ['-e', PROVIDER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(provider.stdout!, 'data')) as [Buffer];
  const base = `http://127.0.0.1:${line.toString().trim()}`;
  try {
    const ours = new JsonHttpClient('provider', { baseUrl: base }, (init) => new ProviderHttpError(init));
    const viaOurs = () => ours.request({ method: 'POST', path: '/v1/payments', body: charge, headers: { 'idempotency-key': charge.idempotencyKey }, response: Payment });
    const viaFetch = async () => {
      const res = await fetch(`${base}/v1/payments`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', 'idempotency-key': charge.idempotencyKey },
        body: JSON.stringify(charge),
        signal: AbortSignal.timeout(10_000),
      });
      return Payment.parse(JSON.parse(await res.text()));
    };
    for (let i = 0; i < 500; i++) await Promise.all([viaOurs(), viaFetch()]); // warm-up, connections open
    const figures = { ours: [] as number[], fetch: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      // Alternating which goes first: the machine's speed drifts within a run.
      const order = round % 2 === 0 ? (['ours', 'fetch'] as const) : (['fetch', 'ours'] as const);
      for (const kind of order) figures[kind].push(await cpuPerRequest(kind === 'ours' ? viaOurs : viaFetch));
    }
    const show = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`${requests} requests per round, ${concurrency} at a time, ${rounds} rounds; µs of client CPU per request (each round):`);
    console.log(`  keep-alive node:http (the providers' client): ${mean(figures.ours).toFixed(0)} (${show(figures.ours)})`);
    console.log(`  fetch() (undici):                             ${mean(figures.fetch).toFixed(0)} (${show(figures.fetch)})`);
    console.log(`  ratio: ${(mean(figures.ours) / mean(figures.fetch)).toFixed(2)}`);
  } finally {
    provider.kill();
  }
}

void main();
