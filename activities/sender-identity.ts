import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ConfigProblem } from '../common/config-error';

/**
 * Who the candidate's emails come from: the agency or coach, per tenant. Resolved by the worker at send time from the
 * sequence's tenant (the prefix of its workflow id), so no personal data of the sender enters a workflow's input or
 * history, and a change applies to the next email of every running sequence.
 */
export interface SenderIdentity {
  /** The From name, the header of the layout when there is no logo, and the first line of the signature. */
  name: string;
  /** Lines under the name, e.g. "Career coach, Acme Outplacement\n+49 30 1234567". */
  signature?: string;
  /** Where the candidate's replies go (the coach); without it, replies go to the sending address. */
  replyTo?: string;
  /** An https:// image shown in the header instead of the name. */
  logoUrl?: string;
  /** #rrggbb: the header rule and the buttons. */
  accentColor?: string;
}

/** The identity when nothing is configured: Onward's own name, as before sender identities existed. */
export const DEFAULT_SENDER: SenderIdentity = { name: 'Onward' };

/** The accent colour when an identity has none. */
export const DEFAULT_ACCENT_COLOR = '#2f5d50';

export const senderFields = {
  name: z.string().trim().min(1, { message: 'must not be empty' }).max(100, { message: 'must be at most 100 characters' }),
  signature: z.string().max(500, { message: 'must be at most 500 characters' }),
  replyTo: z.email({ message: 'must be an email address, e.g. coach@agency.example' }),
  logoUrl: z.url({ protocol: /^https$/, message: 'must be an https:// URL of an image (mail clients block plain http)' }),
  accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, { message: 'must be a colour written #rrggbb, e.g. #2f5d50' }),
};

const identitySchema = z
  .object({
    name: senderFields.name,
    signature: senderFields.signature.optional(),
    replyTo: senderFields.replyTo.optional(),
    logoUrl: senderFields.logoUrl.optional(),
    accentColor: senderFields.accentColor.optional(),
  })
  .strict();

// The tenant pattern of API keys and workflow ids (client/api/keys.ts, workflows/definitions.ts).
const TENANT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const sendersFileSchema = z.record(z.string().regex(TENANT), identitySchema);

/** The tenant of a sequence from its workflow id, `<tenant>:rejection-<id>`; none for `rejection-<id>` (the CLI's). */
export function tenantOfSequence(sequenceId: string): string | undefined {
  return /^([A-Za-z0-9][A-Za-z0-9_-]{0,63}):rejection-/.exec(sequenceId)?.[1];
}

/** The identity of each tenant; sequences without a tenant, or of a tenant not listed, get the default. */
export interface SenderDirectory {
  identityFor(sequenceId: string): SenderIdentity;
}

export function createSenderDirectory(tenants: Record<string, SenderIdentity> = {}, fallback: SenderIdentity = DEFAULT_SENDER): SenderDirectory {
  const byTenant = new Map(Object.entries(tenants));
  return {
    identityFor(sequenceId) {
      const tenant = tenantOfSequence(sequenceId);
      return (tenant === undefined ? undefined : byTenant.get(tenant)) ?? fallback;
    },
  };
}

/** The settings sender identities are read from (worker/config.ts validates each single-user variable). */
export interface SenderSettings {
  /** JSON `{ "<tenant>": { name, signature?, replyTo?, logoUrl?, accentColor? } }`. */
  ONWARD_SENDERS_FILE?: string;
  ONWARD_SENDER_NAME?: string;
  ONWARD_SENDER_SIGNATURE?: string;
  ONWARD_SENDER_REPLY_TO?: string;
  ONWARD_SENDER_LOGO_URL?: string;
  ONWARD_SENDER_ACCENT_COLOR?: string;
}

/** The default identity from the single-user variables (already validated), falling back to DEFAULT_SENDER's name. */
function defaultIdentityOf(settings: SenderSettings): SenderIdentity {
  const optional = {
    signature: settings.ONWARD_SENDER_SIGNATURE,
    replyTo: settings.ONWARD_SENDER_REPLY_TO,
    logoUrl: settings.ONWARD_SENDER_LOGO_URL,
    accentColor: settings.ONWARD_SENDER_ACCENT_COLOR,
  };
  return { name: settings.ONWARD_SENDER_NAME ?? DEFAULT_SENDER.name, ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)) };
}

/**
 * Reads the sender identities; every problem of the file is named by its tenant and field (`acme.logoUrl: must be an
 * https:// URL ...`), never with the file's other content, so a worker with a bad file refuses to start.
 */
export function readSenderDirectory(settings: SenderSettings): { directory: SenderDirectory; problems: ConfigProblem[] } {
  const fallback = defaultIdentityOf(settings);
  const file = settings.ONWARD_SENDERS_FILE;
  if (file === undefined) return { directory: createSenderDirectory({}, fallback), problems: [] };
  const problem = (text: string): ConfigProblem => ({ setting: 'ONWARD_SENDERS_FILE', problem: text });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ? 'does not exist or cannot be read' : 'is not valid JSON';
    return { directory: createSenderDirectory({}, fallback), problems: [problem(`${file} ${reason}`)] };
  }
  const parsed = sendersFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.map(String).join('.');
      const message =
        issue.code === 'unrecognized_keys'
          ? `has unknown field(s) ${issue.keys.join(', ')} (allowed: name, signature, replyTo, logoUrl, accentColor)`
          : issue.code === 'invalid_key'
            ? 'must be a tenant name: 1-64 letters, digits, "_" or "-"'
            : issue.message;
      return problem(`${file}: ${where ? `${where}: ` : ''}${where === '' && issue.code === 'invalid_type' ? 'must be an object of tenants, e.g. { "acme": { "name": "Acme Careers" } }' : message}`);
    });
    return { directory: createSenderDirectory({}, fallback), problems };
  }
  return { directory: createSenderDirectory(parsed.data, fallback), problems: [] };
}
