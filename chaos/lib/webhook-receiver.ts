import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifyStandardWebhook } from '../../src/wire/standard-webhooks';
import type { ReceivedDelivery } from './webhook-deliveries';

/** A delivery as the receiver kept it: what the invariant reads, and when it arrived (ms since the epoch). */
export interface KeptDelivery extends ReceivedDelivery {
  receivedAtMs: number;
}

export interface WebhookReceiver {
  /** https://127.0.0.1:<port>/hooks: what to subscribe. */
  url: string;
  /**
   * The receiver's self-signed certificate: the stack's processes trust it through NODE_EXTRA_CA_CERTS, so they
   * deliver to it as to any https subscriber (production refuses plain http; WEBHOOK_ALLOW_PRIVATE lets it be loopback).
   */
  stackEnv: { NODE_EXTRA_CA_CERTS: string; WEBHOOK_ALLOW_PRIVATE: 'true' };
  /** The endpoint's secret, once POST /admin/webhook-endpoints answered it; deliveries before it do not verify. */
  setSecret(secret: string): void;
  /** Every delivery that came, in the order it came. */
  deliveries(): KeptDelivery[];
  close(): Promise<void>;
}

/**
 * A subscriber of outbound webhooks inside the driver (the chaos run, the bench): an https server on loopback that
 * checks each delivery's Standard Webhooks signature, keeps it, and answers 204.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const dir = mkdtempSync(path.join(tmpdir(), 'order-saga-receiver-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile],
    { stdio: 'ignore' },
  );
  let secret: string | undefined;
  const kept: KeptDelivery[] = [];
  const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = req.headers['webhook-id'];
      kept.push({
        webhookId: typeof id === 'string' ? id : null,
        body,
        verified: secret !== undefined && verifyStandardWebhook(secret, req.headers, body) === undefined,
        answeredWith: 204,
        receivedAtMs: Date.now(),
      });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    stackEnv: { NODE_EXTRA_CA_CERTS: certFile, WEBHOOK_ALLOW_PRIVATE: 'true' },
    setSecret: (value) => {
      secret = value;
    },
    deliveries: () => [...kept],
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
