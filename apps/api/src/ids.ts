/** Prefixed random ids (`ten_…`, `key_…`, `con_…`): unguessable, never reused, no collisions in tests. */
export type IdPrefix = "ten" | "key" | "con" | "sig" | "run" | "req";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** `length` uniformly random base36 characters from the platform's CSPRNG. */
export function randomToken(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length))) {
      // 252 = 7 × 36: bytes at or above it are dropped so every symbol is equally likely.
      if (b < 252 && out.length < length) {
        out += ALPHABET[b % 36];
      }
    }
  }
  return out;
}

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomToken(20)}`;
}
