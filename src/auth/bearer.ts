/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or undefined for anything else. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  return match?.[1];
}
