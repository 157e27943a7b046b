import { z } from 'zod';

/**
 * The shape of a schedule file as written. Times and durations stay strings
 * here; `load-schedule.ts` turns them into luxon values so it can point at
 * the exact line when one is wrong.
 */
const id = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must use lowercase letters, digits and single dashes only');

const templateName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a template file name without ".hbs", like "reminder"');

export const scheduleFileSchema = z.strictObject({
  id,
  instance: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z0-9-]+$/i, 'must be a domain like wien.rocks, without https://'),
  timezone: z.string().min(1),
  locale: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a locale like de-AT'),
  statusPage: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  contact: z.string().regex(/^@[\w.-]+(@[\w.-]+)?$/, 'must be an account like @paula').optional(),
  fallbackAccount: z
    .string()
    .regex(/^@[\w.-]+@[\w.-]+\.[\w-]+$/, 'must be a full account address like @wienrocks@mastodon.social')
    .optional(),
  reason: z.string().min(1).max(300).optional(),
  mastodonVersion: z.string().regex(/^\d+(\.\d+){0,2}$/, 'must be a Mastodon version like "4.0" (in quotes)').optional(),
  backoutPosts: z.enum(['lost', 'kept'], { error: 'must be lost or kept' }).optional(),
  maxCharacters: z.number().int().min(100).max(100_000).optional(),
  templates: z
    .strictObject({
      dir: z.string().min(1).optional(),
      start: templateName.optional(),
      progress: templateName.optional(),
      milestone: templateName.optional(),
      complete: templateName.optional(),
      backout: templateName.optional(),
      'date-changed': templateName.optional(),
      cancelled: templateName.optional(),
      'deadline-moved': templateName.optional(),
      correction: templateName.optional(),
    })
    .optional(),
  window: z.strictObject({
    start: z.string(),
    deadline: z.string(),
    expectedDowntime: z.string(),
  }),
  announcements: z.array(z.strictObject({ id, at: z.string(), template: templateName })).default([]),
  reminders: z.array(z.strictObject({ id, before: z.string(), template: templateName })).default([]),
  tasks: z
    .array(
      z.strictObject({
        id,
        title: z.string().min(1).max(120),
        at: z.string().optional(),
        milestone: z.union([z.boolean(), z.string().min(1)]).optional(),
        /** Checked in detail by src/schedule/parse-check.ts, which knows every kind's fields. */
        check: z.unknown().optional(),
      }),
    )
    .min(1, 'needs at least one task'),
});

export type ScheduleFile = z.infer<typeof scheduleFileSchema>;
