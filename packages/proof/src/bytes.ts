/**
 * Byte helpers shared by the log, the notes and the entry encoding. Everything handled here is
 * public data (hashes, signatures, encoded entries), so comparisons need not be constant-time.
 */

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The value of each base64 character code, -1 for characters outside the standard alphabet. */
const BASE64_VALUES: readonly number[] = (() => {
  const values = new Array<number>(128).fill(-1);
  for (let i = 0; i < BASE64_ALPHABET.length; i++) {
    values[BASE64_ALPHABET.charCodeAt(i)] = i;
  }
  return values;
})();

/** Standard padded base64 (RFC 4648 §4), the encoding C2SP uses for hashes, keys and signatures. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out +=
      BASE64_ALPHABET.charAt(n >>> 18) +
      BASE64_ALPHABET.charAt((n >>> 12) & 63) +
      BASE64_ALPHABET.charAt((n >>> 6) & 63) +
      BASE64_ALPHABET.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] ?? 0) << 16;
    out += `${BASE64_ALPHABET.charAt(n >>> 18)}${BASE64_ALPHABET.charAt((n >>> 12) & 63)}==`;
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += `${BASE64_ALPHABET.charAt(n >>> 18)}${BASE64_ALPHABET.charAt((n >>> 12) & 63)}${BASE64_ALPHABET.charAt((n >>> 6) & 63)}=`;
  }
  return out;
}

/**
 * Decodes standard padded base64; `undefined` for anything else. Strict, so that every byte
 * string has exactly one accepted text: padding is required, no whitespace, no URL alphabet, and
 * the unused low bits of the last character must be zero.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) {
    return undefined;
  }
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const values: number[] = [];
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j);
      if (last && code === 61 && j >= 4 - padding) {
        values.push(0);
        continue;
      }
      const value = code < 128 ? (BASE64_VALUES[code] ?? -1) : -1;
      if (value < 0) {
        return undefined;
      }
      values.push(value);
    }
    const [a = 0, b = 0, c = 0, d = 0] = values;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    if (last && padding === 2 && (n & 0xffff) !== 0) {
      return undefined;
    }
    if (last && padding === 1 && (n & 0xff) !== 0) {
      return undefined;
    }
    out[o++] = n >>> 16;
    if (o < out.length) {
      out[o++] = (n >>> 8) & 0xff;
    }
    if (o < out.length) {
      out[o++] = n & 0xff;
    }
  }
  return out;
}

/** Lowercase hex, two digits a byte. */
export function encodeHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) {
    out += byte.toString(16).padStart(2, "0");
  }
  return out;
}

/** Decodes hex of either case; `undefined` for an odd length or a non-hex character. */
export function decodeHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    return undefined;
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

/**
 * The concatenation of a fixed handful of byte strings, as a fresh array (never a view of an
 * argument). For a list whose length depends on the input, use concatByteList: spreading a long
 * list into arguments overflows the stack (around 10^5 elements in V8).
 */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  return concatByteList(parts);
}

/** The concatenation of a list of byte strings of any length, as a fresh array; no spread. */
export function concatByteList(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) {
    length += part.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * True when both byte strings are equal. Not constant-time, on purpose: everything compared in
 * this package (hashes, roots, key ids) is public, so timing reveals nothing secret.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

const UTF8_ENCODER = new TextEncoder();
/** Fatal, so malformed UTF-8 is refused; ignoreBOM, so a leading U+FEFF is kept as text. */
const UTF8_DECODER = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A lone UTF-16 surrogate: such a string has no UTF-8 form (TextEncoder would write U+FFFD). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True for well-formed Unicode text, the only strings whose UTF-8 bytes read back as sent. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * True when `text` holds an ASCII control character (below U+0020), which signed notes refuse;
 * with `allowNewline`, U+000A is not counted (it separates a note's lines).
 */
export function hasControlCharacter(text: string, allowNewline = false): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && !(allowNewline && code === 0x0a)) {
      return true;
    }
  }
  return false;
}

/** UTF-8 bytes of well-formed text; throws on a lone surrogate rather than write U+FFFD. */
export function utf8Encode(text: string): Uint8Array {
  if (!isWellFormed(text)) {
    throw new TypeError("text is not well-formed Unicode (lone surrogate)");
  }
  return UTF8_ENCODER.encode(text);
}

/** Text of strict UTF-8 bytes (no overlong forms, no encoded surrogates); `undefined` otherwise. */
export function utf8Decode(bytes: Uint8Array): string | undefined {
  try {
    return UTF8_DECODER.decode(bytes);
  } catch {
    return undefined;
  }
}
