import http from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query exactly as sent (already percent-encoded where the case wants it). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
}

/**
 * One request with exactly these bytes: no client-side JSON encoding, header normalisation or content-type
 * guessing, so malformed requests reach the server malformed. A new connection each time (agent: false): a request
 * the server refused half-read must not poison the next one.
 */
export function rawRequest(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  const headers: Record<string, string | number> = { ...req.headers };
  if (body && !req.chunked) headers['content-length'] = body.length;
  if (body && req.chunked) headers['transfer-encoding'] = 'chunked';
  return new Promise((resolve, reject) => {
    let answered = false;
    const client = http.request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent: false, timeout: 20_000 },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // A server may answer (413) and close before the whole body is written: the answer is what counts.
    client.on('error', (err) => {
      if (!answered) reject(err);
    });
    client.on('timeout', () => client.destroy(new Error(`no answer to ${req.method} ${req.path.slice(0, 80)} within 20 s`)));
    if (body && req.chunked) {
      for (let i = 0; i < body.length; i += 4096) client.write(body.subarray(i, i + 4096));
      client.end();
    } else client.end(body);
  });
}
