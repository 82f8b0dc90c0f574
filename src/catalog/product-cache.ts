import { createHash } from 'node:crypto';

/** A catalog answer ready to send: its JSON text and the entity tag of that text. */
export interface CatalogAnswer {
  json: string;
  etag: string;
}

/** What the cache does with reads: serve them, or pass every one to the database (no listener, or it is down). */
export type CacheMode = 'on' | 'bypass';

/**
 * The API instance's cache of catalog answers (GET /products/{id}, GET /products pages), kept right by PostgreSQL's
 * notifications (src/catalog/catalog-cache.ts): a change to a product drops that product's answer and every page.
 * While the instance is not listening the cache is empty and bypassed, so it never answers from before a change it
 * could have missed.
 *
 * A read that was loading while a change arrived is answered but not kept (the generation moved on): its rows may
 * predate the change.
 */
export class ProductCache {
  private readonly entries = new Map<string, CatalogAnswer>();
  private generation = 0;
  private mode: CacheMode = 'bypass';

  constructor(private readonly maxEntries = 10_000) {}

  get state(): CacheMode {
    return this.mode;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached answer for `key`, or the one `load` makes (kept when nothing changed meanwhile). */
  async answer(key: string, load: () => Promise<unknown>): Promise<{ answer: CatalogAnswer; hit: boolean }> {
    const cached = this.mode === 'on' ? this.entries.get(key) : undefined;
    if (cached) return { answer: cached, hit: true };
    const generation = this.generation;
    const answer = catalogAnswer(await load());
    if (this.mode === 'on' && generation === this.generation) this.keep(key, answer);
    return { answer, hit: false };
  }

  /** A product changed: its answer and every page (any may list it) are dropped. */
  productChanged(productId: string): void {
    this.generation += 1;
    this.entries.delete(productKey(productId));
    for (const key of [...this.entries.keys()]) if (key.startsWith(PAGE_PREFIX)) this.entries.delete(key);
  }

  /** Listening: from now on every change is heard. What was cached before may have missed some: dropped. */
  start(): void {
    this.generation += 1;
    this.entries.clear();
    this.mode = 'on';
  }

  /** Not listening: changes may go unheard, so nothing is served from (or kept in) the cache. */
  bypass(): void {
    this.generation += 1;
    this.entries.clear();
    this.mode = 'bypass';
  }

  private keep(key: string, answer: CatalogAnswer): void {
    // Bounded: the oldest entry goes first (a Map iterates in insertion order).
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, answer);
  }
}

const PAGE_PREFIX = 'page:';
export const productKey = (productId: string) => `product:${productId.toLowerCase()}`;
export const pageKey = (query: { limit: number; cursor?: string }) => `${PAGE_PREFIX}${query.limit}:${query.cursor ?? ''}`;

/** The JSON text of a body and its strong entity tag (a digest of exactly that text). */
export function catalogAnswer(body: unknown): CatalogAnswer {
  const json = JSON.stringify(body);
  return { json, etag: `"${createHash('sha1').update(json).digest('base64url')}"` };
}
