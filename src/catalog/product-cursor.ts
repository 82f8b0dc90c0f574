import type { ProductPosition } from './products';
import { isUuid } from './uuid';

/**
 * Opaque page cursors for GET /products: base64url of the last item's (created_at, id). Clients must treat them
 * as tokens; the encoding can change without notice. Decoding never throws: a bad cursor is `undefined`.
 */
export function encodeProductCursor(position: ProductPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id]), 'utf8').toString('base64url');
}

export function decodeProductCursor(cursor: string): ProductPosition | undefined {
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
  // Only what encodeProductCursor writes: a canonical ISO timestamp round-trips exactly.
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== iso) return undefined;
  return { createdAt, id: id.toLowerCase() };
}
