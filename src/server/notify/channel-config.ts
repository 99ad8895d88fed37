import { z } from 'zod';
import { NOTIFY_EVENTS } from './notification-message.js';

/**
 * A notification channel as the API accepts it. What is secret (`target`: the URL with its token
 * or key, the signing secret, the SMTP password) is sealed before it is stored and never returned;
 * on an update an absent `target` keeps the stored one. `settings` (SMTP only) is not secret.
 */
export const CHANNEL_KINDS = ['webhook', 'slack', 'dingtalk', 'wecom', 'feishu', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

const httpUrl = z
  .string()
  .max(2000)
  .refine((text) => {
    try {
      const url = new URL(text);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

export const channelTargetSchema = z.object({
  url: httpUrl.optional(),
  /** HMAC key: generic webhook signature, DingTalk and Feishu signing. */
  secret: z.string().min(1).max(500).optional(),
  /** SMTP password. */
  password: z.string().min(1).max(500).optional(),
});
export type ChannelTarget = z.infer<typeof channelTargetSchema>;

const address = z
  .string()
  .max(320)
  .regex(/^[^\s@<>]+@[^\s@<>]+$/, 'must be an e-mail address');

export const emailSettingsSchema = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(587),
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  user: z.string().max(320).optional(),
  from: address,
  to: z.array(address).min(1).max(50),
});
export type EmailSettings = z.infer<typeof emailSettingsSchema>;

export const channelRulesSchema = z.object({
  events: z.array(z.enum(NOTIFY_EVENTS)).max(NOTIFY_EVENTS.length),
  /** Branch globs for `run.succeeded` (empty: every branch). */
  branches: z.array(z.string().min(1).max(200)).max(50).default([]),
});
export type ChannelRules = z.infer<typeof channelRulesSchema>;

export const channelInputSchema = z.object({
  name: z.string().min(1).max(100),
  kind: z.enum(CHANNEL_KINDS),
  language: z.enum(['en', 'zh-CN']).default('en'),
  enabled: z.boolean().default(true),
  rules: channelRulesSchema,
  target: channelTargetSchema.optional(),
  settings: emailSettingsSchema.optional(),
});
export type ChannelInput = z.infer<typeof channelInputSchema>;

/** What is missing for a kind, as `[field, message]`, or null. */
export function channelProblem(
  kind: ChannelKind,
  target: ChannelTarget | undefined,
  settings: EmailSettings | undefined,
): [string, string] | null {
  if (kind === 'email') {
    if (!settings) return ['body.settings', 'body.settings: an e-mail channel needs host, from and to'];
    return null;
  }
  if (!target?.url) return ['body.target.url', `body.target.url: a ${kind} channel needs the URL to post to`];
  return null;
}

/** The channel as the API returns it: never the target itself, only what is set. */
export const channelJsonSchema = z.object({
  id: z.string(),
  scope: z.enum(['project', 'global']),
  name: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  language: z.enum(['en', 'zh-CN']),
  enabled: z.boolean(),
  rules: channelRulesSchema,
  settings: emailSettingsSchema.nullable(),
  /** Host the channel posts to (not secret; the URL's path and query may hold a token). */
  host: z.string().nullable(),
  /** Which secret parts are stored. */
  configured: z.object({ url: z.boolean(), secret: z.boolean(), password: z.boolean() }),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ChannelJson = z.infer<typeof channelJsonSchema>;
