import { CODEC_KEYS_VARIABLE } from '../common/codec';
import { resolveClientKeyring } from '../common/codec-keys';

export const INSECURE_PLAINTEXT_FLAG = '--insecure-plaintext';

/**
 * A command that writes a sequence (start, import) refuses to write its personal data in clear: without payload keys
 * (ONWARD_CODEC_KEYS, or the local key of `onward dev`) it stops before connecting, unless the user said
 * --insecure-plaintext (a keyless test server), and then it warns on stderr.
 */
export function refusePlaintextWrites(temporalAddress: string, insecurePlaintext: boolean | undefined, environment: NodeJS.ProcessEnv = process.env): void {
  const { keyring } = resolveClientKeyring(environment, temporalAddress);
  if (keyring) return;
  if (!insecurePlaintext) {
    throw new Error(
      `${CODEC_KEYS_VARIABLE} is not set: the sequence's personal data (names, email addresses) would be stored in clear on the ` +
        `Temporal server at ${temporalAddress}. Set ${CODEC_KEYS_VARIABLE} to the workers' keys (or run \`onward dev\`, which makes a ` +
        `local key), or pass ${INSECURE_PLAINTEXT_FLAG} for a keyless test server.`,
    );
  }
  console.error(`onward: warning: ${INSECURE_PLAINTEXT_FLAG}: payloads are written in clear to ${temporalAddress}`);
}
