import { z } from 'zod';

const smtpUrl = z
  .string({ message: 'is required, e.g. smtp://user:password@mail.example.com:587' })
  .refine((value) => /^smtps?:\/\/[^/\s]+/.test(value), { message: 'must be an smtp:// or smtps:// URL' });

const fromAddress = z.email({ message: 'must be the email address Onward sends from, e.g. onward@example.com' });

/** The worker's settings, read from the environment and checked before it connects to anything. */
export const workerConfigSchema = z.object({
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d{1,5}$/, { message: 'must be host:port, e.g. localhost:7233' }).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1, { message: 'must not be empty' }).default('default'),
  ONWARD_TASK_QUEUE: z.string().min(1, { message: 'must not be empty' }).default('onward'),
  SMTP_URL: smtpUrl,
  ONWARD_FROM: fromAddress,
  ONWARD_TEMPLATES_DIR: z.string().optional(),
});

export type WorkerConfig = z.output<typeof workerConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the configuration; a bad or missing setting is named with what is wrong, and secrets are never echoed. */
export function readWorkerConfig(environment: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = workerConfigSchema.safeParse(environment);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid worker configuration:\n${lines.join('\n')}`);
}

/** The SMTP URL without its password, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
