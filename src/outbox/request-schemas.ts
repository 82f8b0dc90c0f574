import { z } from 'zod';
import { keysetCursorSchema } from '../db/keyset-cursor';
import { EVENT_TYPES } from './event-types';
import { MESSAGE_STATUSES } from './message-store';

// Request shapes of the webhook operators' routes. Objects are strict, like the rest of the API's.

/** An http(s) URL; where it may point is checked after parsing (url-guard.ts: 422 invalid_webhook_url). */
const url = z.string().trim().min(1).max(2000);
const events = z
  .array(z.enum(EVENT_TYPES as [string, ...string[]]))
  .min(1)
  .max(EVENT_TYPES.length)
  .refine((list) => new Set(list).size === list.length, 'an event type is listed twice')
  .describe('The event types to receive; absent or null: all of them');
const description = z.string().trim().max(500);

export const endpointIdParams = z.strictObject({ id: z.uuid() });
export const messageIdParams = z.strictObject({ id: z.uuid() });

export const createEndpointBody = z.strictObject({
  url,
  events: events.nullable().optional(),
  description: description.nullable().optional(),
});

export const updateEndpointBody = z
  .strictObject({
    url: url.optional(),
    events: events.nullable().optional(),
    description: description.nullable().optional(),
    status: z.enum(['enabled', 'disabled']).optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, 'expected at least one of url, events, description, status');

export const replayBody = z.strictObject({
  since: z.iso.datetime({ offset: true }).transform((text) => new Date(text)).describe('Every event since this time (ISO 8601) is sent again'),
});

export const listMessagesQuery = z.strictObject({
  endpointId: z.uuid().optional(),
  status: z.enum(MESSAGE_STATUSES as [string, ...string[]]).optional(),
  limit: z.string().regex(/^\d{1,3}$/, 'expected an integer from 1 to 100').transform(Number).pipe(z.int().min(1).max(100)).default(50),
  cursor: keysetCursorSchema.optional(),
});
