/** A customer token that must not be accepted; answered 401 `unauthorized` with WWW-Authenticate: Bearer. */
export class TokenRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenRejected';
  }
}

/** The identity provider's keys could not be fetched: the token may be fine, so the client should retry (503). */
export class TokenKeysUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenKeysUnavailable';
  }
}
