import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A stand-in OTLP/HTTP trace receiver on a free loopback port, so that a traced stack exports for real (serialising,
 * batching, one HTTP request per batch) without a collector installed. It answers every POST /v1/traces 200 and
 * counts what arrived, so a report can show that spans really flowed. The exporter in src/telemetry sends OTLP JSON
 * (@opentelemetry/exporter-trace-otlp-http), so counting spans is one JSON.parse per batch.
 */
export interface OtlpSinkStats {
  /** Export requests (span batches) received. */
  batches: number;
  bytes: number;
  spans: number;
  /** Spans by the resource's service.name. */
  byService: Record<string, number>;
  /** Bodies that were not OTLP JSON (still answered 200). */
  unreadable: number;
}

export interface OtlpJsonRequest {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value?: { stringValue?: string } }[] };
    scopeSpans?: { spans?: unknown[] }[];
  }[];
}

export interface OtlpSink {
  /** The base URL to give OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  url: string;
  stats(): OtlpSinkStats;
  close(): Promise<void>;
}

/** `onBatch` sees every decoded request (for a check that looks inside the spans; the bench only counts). */
export async function startOtlpSink(onBatch?: (request: OtlpJsonRequest) => void): Promise<OtlpSink> {
  const stats: OtlpSinkStats = { batches: 0, bytes: 0, spans: 0, byService: {}, unreadable: 0 };
  const count = (body: Buffer, gzipped: boolean) => {
    let request: OtlpJsonRequest;
    try {
      request = JSON.parse((gzipped ? gunzipSync(body) : body).toString('utf8')) as OtlpJsonRequest;
    } catch {
      stats.unreadable++;
      return;
    }
    for (const rs of request.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? '(unnamed)';
      const spans = (rs.scopeSpans ?? []).reduce((n, ss) => n + (ss.spans?.length ?? 0), 0);
      stats.spans += spans;
      stats.byService[service] = (stats.byService[service] ?? 0) + spans;
    }
    onBatch?.(request);
  };
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      stats.batches++;
      stats.bytes += body.length;
      count(body, req.headers['content-encoding'] === 'gzip');
      // `{}`: the empty ExportTraceServiceResponse in OTLP JSON (an empty body makes the exporter log a parse warning).
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => structuredClone(stats),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
