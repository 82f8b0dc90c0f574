import { z } from 'zod';
import { describeThrown, transportReason } from '../fetch-failure';
import type { KeepAliveClient, OutboundAnswer, OutboundRequest } from '../keep-alive-client';
import { createKeepAliveClient } from '../keep-alive-client';
import { tracedOutbound } from '../telemetry/outbound-span';

export interface ProviderErrorInit {
  /** The provider's error code (`not_voidable`, `idempotency_key_reused`…) or ours (`timeout`, `network_error`…). */
  code: string;
  message: string;
  /** The HTTP status, when the provider answered at all. */
  status?: number;
  /** Whether the same request may succeed if sent again (with the same idempotency key). */
  retryable: boolean;
  details?: unknown;
  cause?: unknown;
}

/**
 * A failed call to an external HTTP service. Callers (activities) decide on `retryable` alone:
 * network errors, timeouts, 5xx, 408 and 429 are worth retrying; any other 4xx is a definite answer.
 */
export class ProviderHttpError extends Error {
  readonly code: string;
  readonly status?: number;
  readonly retryable: boolean;
  readonly details?: unknown;

  constructor(init: ProviderErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ProviderHttpError';
    this.code = init.code;
    this.status = init.status;
    this.retryable = init.retryable;
    this.details = init.details;
  }
}

export interface HttpClientOptions {
  baseUrl: string;
  /** Per request, including reading the answer. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

interface JsonRequest<T> {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Every successful answer is validated, so a misbehaving provider fails loudly here, not deep in the saga. */
  response: z.ZodType<T>;
}

/**
 * The one place that does the request + timeout + JSON + error mapping for the provider clients, over the service's
 * keep-alive client. `makeError` lets each client throw its own ProviderHttpError subclass.
 */
export class JsonHttpClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly client: KeepAliveClient;

  constructor(
    private readonly service: string,
    options: HttpClientOptions,
    private readonly makeError: (init: ProviderErrorInit) => ProviderHttpError,
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // One per client, kept for its life: providers are built once per process.
    this.client = createKeepAliveClient(Infinity);
  }

  /** GET `collection?orderId=…`: the `{ items }` list both providers answer, each item validated by `item`. */
  async listByOrder<T>(collection: string, orderId: string, item: z.ZodType<T>): Promise<T[]> {
    const list = await this.request({
      method: 'GET',
      path: `${collection}?orderId=${encodeURIComponent(orderId)}`,
      response: z.object({ items: z.array(item) }),
    });
    return list.items;
  }

  async request<T>(req: JsonRequest<T>): Promise<T> {
    const what = `${this.service} ${req.method} ${req.path}`;
    const outbound: OutboundRequest = {
      method: req.method,
      headers: {
        accept: 'application/json',
        ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...req.headers,
      },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      timeoutMs: this.timeoutMs,
      readBody: true,
    };
    let answer: OutboundAnswer;
    try {
      const url = new URL(this.baseUrl + req.path);
      answer = await tracedOutbound(url, outbound, () => this.client.send(url, outbound));
    } catch (err) {
      throw this.transportError(what, err);
    }
    const { status, text } = answer;

    const json = parseJson(text);
    if (status < 200 || status >= 300) throw this.statusError(what, status, json);

    const parsed = req.response.safeParse(json);
    if (!parsed.success) {
      throw this.makeError({
        code: 'invalid_response',
        message: `${what} answered ${status} with an unexpected body`,
        status,
        // The provider is misbehaving; sending the same request again will not fix it.
        retryable: false,
        details: parsed.error.issues,
      });
    }
    return parsed.data;
  }

  private transportError(what: string, err: unknown): ProviderHttpError {
    const timedOut = describeThrown(err).name === 'TimeoutError';
    return this.makeError({
      code: timedOut ? 'timeout' : 'network_error',
      message: timedOut
        ? `${what} did not answer within ${this.timeoutMs} ms`
        : `${what} failed: ${transportReason(err)}`,
      retryable: true,
      cause: err,
    });
  }

  private statusError(what: string, status: number, json: unknown): ProviderHttpError {
    const body = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
    const code = typeof body.error === 'string' ? body.error : `http_${status}`;
    const message = typeof body.message === 'string' ? body.message : `answered ${status}`;
    return this.makeError({
      code,
      message: `${what}: ${message}`,
      status,
      retryable: isRetryableStatus(status),
      details: body.details,
    });
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** For building paths from ids that come from elsewhere. */
export const pathSegment = (value: string) => encodeURIComponent(value);
