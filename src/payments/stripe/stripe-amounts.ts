/**
 * Amounts: the service counts money in integer ISO 4217 minor units (cents for EUR, yen for JPY, fils for KWD);
 * Stripe's API counts in "the currency's smallest unit", which is the same number for every currency but one:
 * the Icelandic króna, a zero-decimal currency that Stripe still writes with two decimals (ISK 5 is `500`, and
 * amounts must be whole krónur). Zero-decimal currencies (JPY, KRW, …) are therefore passed through unchanged,
 * never multiplied by 100. Three-decimal currencies (BHD, JOD, KWD, OMR, TND) must end in 0 at Stripe; Stripe
 * itself refuses other amounts with an invalid-request error, which fails the order with Stripe's message.
 */
const STRIPE_SCALE: Readonly<Record<string, number>> = { ISK: 100 };

/** Stripe's zero-decimal currencies (docs.stripe.com/currencies#zero-decimal): their minor unit is the unit. */
export const STRIPE_ZERO_DECIMAL_CURRENCIES: readonly string[] = [
  'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF',
];

const scaleOf = (currency: string) => STRIPE_SCALE[currency.toUpperCase()] ?? 1;

/** Our minor units → Stripe's `amount` for `currency` (any case). */
export function toStripeAmount(amountMinor: number, currency: string): number {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) throw new RangeError(`amount must be a non-negative integer of minor units, got ${amountMinor}`);
  return amountMinor * scaleOf(currency);
}

/** Stripe's `amount` → our minor units. A fractional result (ISK 1.50, which Stripe no longer accepts) rounds down. */
export function fromStripeAmount(stripeAmount: number, currency: string): number {
  return Math.floor(stripeAmount / scaleOf(currency));
}

/** Stripe writes currencies in lower case; the service in upper case. */
export const toStripeCurrency = (currency: string) => currency.toLowerCase();
export const fromStripeCurrency = (currency: string) => currency.toUpperCase();
