/** What one HTTP exchange gave: an answer, or a transport failure (refused: the request surely never arrived). */
export type Exchange =
  | { ok: true; status: number; body: any; headers: Headers }
  | { ok: false; refused: boolean; error: string };

export interface ExchangeInit {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** fetch with a JSON body and a timeout that never throws: chaos expects failures and records them. */
export async function exchange(url: string, init: ExchangeInit = {}): Promise<Exchange> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep the text */
    }
    return { ok: true, status: res.status, body, headers: res.headers };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { ok: false, refused: cause?.code === 'ECONNREFUSED', error: cause?.code ?? (err instanceof Error ? err.message : String(err)) };
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
