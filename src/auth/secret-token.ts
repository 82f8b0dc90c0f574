import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * A constant-time check against one secret token (the admin token). Both sides are hashed before timingSafeEqual:
 * it needs equal lengths, and comparing digests means neither the time taken nor an early length check tells a
 * caller how much of the token, or how long a token, it got right.
 */
export function secretTokenMatcher(secret: string): (candidate: string) => boolean {
  if (secret.length === 0) throw new Error('secretTokenMatcher: the token must not be empty');
  const expected = sha256(secret);
  return (candidate) => timingSafeEqual(sha256(candidate), expected);
}
