import type { Context } from 'koa';
import { z } from 'zod';

/** A JSON answer already serialized, with the entity tag of exactly that text. */
export interface TaggedJson {
  json: string;
  etag: string;
}

/** The request headers of a conditional GET, as routes declare them. */
export const conditionalRequestHeaders = z.object({
  'If-None-Match': z.string().max(8192).optional().describe('an ETag of an earlier answer: 304 when it is still the current one'),
  'Cache-Control': z.string().max(1024).optional().describe('`no-cache`: answer from the database, not from the instance\'s cache'),
});

/** The headers every tagged answer carries. */
export const taggedResponseHeaders = z.object({
  ETag: z.string().describe('strong entity tag of the answer; send it back as If-None-Match'),
  'Cache-Control': z.string().describe('`public, no-cache`: may be stored, but revalidated (If-None-Match) before each use'),
});

/** The 304 answer of a conditional GET. */
export const notModified = { description: 'Not modified: the If-None-Match tag is the current one (no body)', headers: taggedResponseHeaders };

/** Whether the request asks for an answer that does not come from a cache (`Cache-Control: no-cache`). */
export function wantsFresh(ctx: Context): boolean {
  return /(^|,)\s*no-cache\s*(,|$)/i.test(ctx.get('Cache-Control'));
}

/**
 * Sends a tagged JSON answer: 304 with no body when the request's If-None-Match names its tag, else 200. Caches may
 * store it but must revalidate it every time (`no-cache`), so a client never uses an answer older than the server's.
 */
export function sendTagged(ctx: Context, answer: TaggedJson): void {
  ctx.set('Cache-Control', 'public, no-cache');
  ctx.set('ETag', answer.etag);
  if (matchesNoneMatch(ctx.get('If-None-Match'), answer.etag)) {
    ctx.status = 304;
    return;
  }
  ctx.status = 200;
  ctx.type = 'application/json';
  ctx.body = answer.json;
}

/** RFC 9110 13.1.2: `*`, or a list of tags compared weakly (W/ prefixes ignored). */
export function matchesNoneMatch(header: string, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => bare(tag) === bare(etag));
}
