import { z } from 'zod';
import { isUuid } from '../uuid';

/** A row's place in a (created_at, id) ordering: what keyset pagination resumes from. */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

/**
 * Opaque page cursors: base64url of the last item's (created_at, id). Clients must treat them as tokens; the
 * encoding can change without notice. Decoding never throws: a bad cursor is `undefined`.
 */
export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id]), 'utf8').toString('base64url');
}

export function decodeKeysetCursor(cursor: string): KeysetPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) return undefined;
  const [iso, id] = decoded as unknown[];
  if (typeof iso !== 'string' || !isUuid(id)) return undefined;
  const createdAt = new Date(iso);
  // Only what encodeKeysetCursor writes: a canonical ISO timestamp round-trips exactly.
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== iso) return undefined;
  return { createdAt, id: id.toLowerCase() };
}

/** A query-string cursor, decoded at the boundary; anything we did not hand out is a 400. */
export const keysetCursorSchema = z.string().transform((text, ctx) => {
  const position = decodeKeysetCursor(text);
  if (!position) {
    ctx.addIssue({ code: 'custom', message: 'not a cursor returned by this endpoint' });
    return z.NEVER;
  }
  return position;
});
