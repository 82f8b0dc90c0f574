import { DomainError, found } from '../errors';

export interface Account {
  customerId: string;
  balanceCents: number;
}

/** Customer wallets (the `tok_wallet` payment method): balances in integer cents, kept in memory. */
export class AccountStore {
  private readonly accounts = new Map<string, Account>();

  create(customerId: string): Account {
    if (this.accounts.has(customerId)) {
      throw new DomainError('already_exists', `account ${customerId} already exists`);
    }
    const account = { customerId, balanceCents: 0 };
    this.accounts.set(customerId, account);
    return { ...account };
  }

  get(customerId: string): Account | undefined {
    const account = this.accounts.get(customerId);
    return account && { ...account };
  }

  deposit(customerId: string, amountCents: number): Account {
    const account = this.require(customerId);
    const balance = account.balanceCents + amountCents;
    if (!Number.isSafeInteger(balance)) {
      throw new DomainError('validation_failed', 'the balance would exceed the largest amount this service holds');
    }
    account.balanceCents = balance;
    return { ...account };
  }

  /** Takes `amountCents` if the account exists and holds enough; false (and no change) otherwise. */
  tryDebit(customerId: string, amountCents: number): boolean {
    const account = this.accounts.get(customerId);
    if (!account || account.balanceCents < amountCents) return false;
    account.balanceCents -= amountCents;
    return true;
  }

  /** Gives money back (refunds). The account exists: it was debited before. */
  credit(customerId: string, amountCents: number): void {
    this.require(customerId).balanceCents += amountCents;
  }

  private require(customerId: string): Account {
    return found(this.accounts.get(customerId), 'account', customerId);
  }
}
