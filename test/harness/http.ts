import type Koa from 'koa';
import { listen } from '../../src/http-server';

export interface RunningServer {
  url: string;
  close: () => Promise<void>;
}

/** Serves a Koa app on a random loopback port, for tests that talk real HTTP to it. */
export async function serve(app: Koa): Promise<RunningServer> {
  const http = await listen(app, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${http.port}`, close: http.close };
}

/** fetch + JSON parse, keeping status and headers, for readable assertions. */
export async function request(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text so the assertion shows it */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
