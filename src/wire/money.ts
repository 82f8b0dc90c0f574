import { z } from 'zod';

/**
 * Field schemas shared by the payment provider's requests, responses and webhook events.
 * Money is always an integer number of minor units (cents): never a float, never negative.
 */
export const amountCentsSchema = z.number().int().positive();
export const nonNegativeAmountCentsSchema = z.number().int().nonnegative();

/** ISO 4217 style: three upper-case letters. */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'expected a three-letter upper-case currency code');
