const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const decodes = (bytes: Uint8Array, stream: boolean): boolean => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream });
    return true;
  } catch {
    return false;
  }
};

/** Where the first byte sequence that is not UTF-8 starts (0-based), for the error message. */
function firstInvalidByte(bytes: Uint8Array): number {
  // The longest prefix that is valid or merely cut short (a stream), by bisection: cheap even for a 5 MB file.
  let low = 0;
  let high = bytes.length;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (decodes(bytes.subarray(0, middle), true)) low = middle;
    else high = middle;
  }
  if (decodes(bytes.subarray(0, low), false)) return low;
  // The prefix ends inside a multi-byte character: that character is the bad one.
  let start = low;
  while (start > 0 && ((bytes[start - 1] ?? 0) & 0xc0) === 0x80) start -= 1;
  return start > 0 ? start - 1 : 0;
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
