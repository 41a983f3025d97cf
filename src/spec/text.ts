// The bytes of a spec file as text. Node's 'utf8' decoding silently turns bytes that are not
// UTF-8 into U+FFFD, so a Latin-1 "Ñuñoa" would reach PMS as "�u�oa": decode strictly instead
// and say where the first bad byte is and how to save the file.

/** A spec is a few kilobytes; anything near this is not a spec (and must not be parsed whole). */
export const MAX_SPEC_BYTES = 1024 * 1024;

export type DecodedSpec = { text: string } | { problem: string; line?: number };

export function decodeSpecBytes(bytes: Uint8Array): DecodedSpec {
  if (bytes.length > MAX_SPEC_BYTES) {
    return {
      problem: `the file is ${bytes.length} bytes; a deployment spec is a few kilobytes (at most ${MAX_SPEC_BYTES}): is this the right file?`,
    };
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { problem: 'the file is saved as UTF-16: save it as UTF-8 (in most editors: "Save with encoding" → UTF-8)' };
  }
  try {
    // A UTF-8 byte-order mark is accepted and dropped (fatal decoding keeps the rest strict).
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = 1 + bytes.subarray(0, at).filter((b) => b === 0x0a).length;
    return {
      line,
      problem:
        `the file is not UTF-8 (byte 0x${bytes[at]!.toString(16).padStart(2, '0')} on line ${line} is not valid UTF-8; ` +
        'it was probably saved as Latin-1 or Windows-1252): save it as UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8',
    };
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const second = bytes[i + 1] ?? 0;
    const [lo, hi] =
      b === 0xe0
        ? [0xa0, 0xbf]
        : b === 0xed
          ? [0x80, 0x9f]
          : b === 0xf0
            ? [0x90, 0xbf]
            : b === 0xf4
              ? [0x80, 0x8f]
              : [0x80, 0xbf];
    if (second < lo || second > hi) return i;
    for (let k = 2; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return 0;
}
