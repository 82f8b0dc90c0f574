import type Koa from 'koa';
import supertest from 'supertest';
import { listen } from '../../src/http/server';

export interface RunningServer {
  url: string;
  close: () => Promise<void>;
}

/** Serves a Koa app on a random loopback port, for tests that talk real HTTP to it. */
export async function serve(app: Koa): Promise<RunningServer> {
  const http = await listen(app, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${http.port}`, close: http.close };
}

/** `body` is sent as JSON; `rawBody` as it is (bytes too, e.g. invalid UTF-8), with the headers given. */
export type RequestOptions = { method?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string | Buffer };
export type Answer = { status: number; body: any; headers: Headers };
/** A `request` bound to one app: paths are relative to its root. */
export type AppRequest = (path: string, init?: RequestOptions) => Promise<Answer>;

/** fetch + JSON parse, keeping status and headers, for readable assertions. */
export async function request(
  url: string,
  init: RequestOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | Buffer | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  return { status: res.status, body: parseText(await res.text()), headers: res.headers };
}

/** JSON when it parses; otherwise the text itself, so a failing assertion shows it. */
function parseText(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

/**
 * The same `request` against a Koa app called in-process (app.callback(), no socket): for API tests in which a
 * listening port is not the point. Paths are relative to the app's root.
 */
export function inProcess(app: Koa): AppRequest {
  const agent = supertest(app.callback());
  return async (path, init = {}) => {
    const method = (init.method ?? (init.body === undefined && init.rawBody === undefined ? 'GET' : 'POST')).toLowerCase();
    let req = (agent as unknown as Record<string, (p: string) => supertest.Test>)[method](path);
    for (const [name, value] of Object.entries(init.headers ?? {})) req = req.set(name, value);
    if (init.body !== undefined) req = req.send(init.body as object);
    // As it is: superagent would otherwise serialize bytes sent as JSON into {"type":"Buffer",…}.
    else if (init.rawBody !== undefined) req = req.serialize((raw: unknown) => raw as string).send(init.rawBody);
    const res = await req;
    return { status: res.status, body: parseText(res.text), headers: new Headers(res.headers as Record<string, string>) };
  };
}
