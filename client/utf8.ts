const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Where the first byte that is not UTF-8 is (0-based), for the error message. */
function firstInvalidByte(bytes: Uint8Array): number {
  let low = 0;
  let high = bytes.length;
  // The longest valid prefix, by bisection: decoding is linear, so this stays cheap even for a 5 MB file.
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    try {
      strictUtf8.decode(bytes.subarray(0, middle), { stream: true });
      low = middle;
    } catch {
      high = middle;
    }
  }
  return low;
}

export class InvalidUtf8Error extends Error {
  override name = 'InvalidUtf8Error';
}

/**
 * Text from bytes that must be UTF-8; anything else is refused, never turned into "�" and stored (a name sent as
 * "Ada �� Lovelace" cannot be taken back). The message names the byte offset and says what to do.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new InvalidUtf8Error(`is not valid UTF-8 (the first bad byte is at offset ${firstInvalidByte(bytes)}): save the file as UTF-8 and send it again`);
  }
}
