import { DomainError } from '../errors';

/** An endpoint URL that is not http(s), or (in production) not https or pointing inside the network. */
export class InvalidWebhookUrlError extends DomainError {
  constructor(message: string) {
    super('invalid_webhook_url', message);
  }
}
