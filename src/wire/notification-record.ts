import { z } from 'zod';

/** A notification as the notification service (the simulator) records and answers it. */
export const notificationRecordSchema = z.object({
  id: z.string().min(1),
  to: z.string(),
  template: z.string(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

export type NotificationRecord = z.infer<typeof notificationRecordSchema>;
