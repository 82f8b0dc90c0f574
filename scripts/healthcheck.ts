// A container health check without curl (the runtime image is node:*-slim): exits 0 when URL answers 2xx within
// the timeout, 1 otherwise.   node dist/scripts/healthcheck.js http://127.0.0.1:3000/readyz
const [url, timeoutText = '3000'] = process.argv.slice(2);
if (!url) {
  process.stderr.write('usage: healthcheck URL [timeoutMs]\n');
  process.exit(2);
}
fetch(url, { signal: AbortSignal.timeout(Number(timeoutText)) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  (err: unknown) => {
    process.stderr.write(`${url}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
