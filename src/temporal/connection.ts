import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../config';

export type TemporalConnectionConfig = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CERT'
  | 'TEMPORAL_TLS_KEY'
  | 'TEMPORAL_TLS_CA'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

/** What both `Connection` (client) and `NativeConnection` (worker) take to reach the cluster. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

/**
 * The one place that turns the settings into connection options, so the API, the worker and every script reach
 * the same cluster the same way. Callers spread the result and add their own options (interceptors, timeouts).
 *
 * TLS is on when any TLS setting or an API key is given (Temporal Cloud requires TLS with API keys), or with
 * TEMPORAL_TLS=1 alone (server certificate checked against the system's roots); otherwise plain gRPC, as for the
 * local development server.
 */
export function temporalConnectionOptions(config: TemporalConnectionConfig): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: config.TEMPORAL_ADDRESS };
  const wantsTls =
    config.TEMPORAL_TLS ||
    Boolean(config.TEMPORAL_TLS_CERT || config.TEMPORAL_TLS_CA || config.TEMPORAL_TLS_SERVER_NAME || config.TEMPORAL_API_KEY);
  if (wantsTls) {
    const tls: TLSConfig = {};
    if (config.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = config.TEMPORAL_TLS_SERVER_NAME;
    if (config.TEMPORAL_TLS_CA) tls.serverRootCACertificate = Buffer.from(config.TEMPORAL_TLS_CA);
    if (config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY) {
      tls.clientCertPair = { crt: Buffer.from(config.TEMPORAL_TLS_CERT), key: Buffer.from(config.TEMPORAL_TLS_KEY) };
    }
    options.tls = tls;
  }
  if (config.TEMPORAL_API_KEY) options.apiKey = config.TEMPORAL_API_KEY;
  return options;
}

/** For logs: where and how the service connects, without any secret. */
export function describeTemporalConnection(config: TemporalConnectionConfig): string {
  const options = temporalConnectionOptions(config);
  const how = [options.tls ? (options.tls.clientCertPair ? 'mTLS' : 'TLS') : 'plaintext', options.apiKey ? 'API key' : undefined];
  return `${options.address} (${how.filter(Boolean).join(', ')})`;
}
