/** A console session lasts a working day; signing in again starts a new one. */
export const SESSION_TTL_MS = 8 * 3600_000;

/** A session token as the cookie carries it: 43 base36 characters (about 222 bits). */
export const SESSION_TOKEN_LENGTH = 43;
const SESSION_TOKEN = new RegExp(`^[0-9a-z]{${SESSION_TOKEN_LENGTH}}$`);

export function isSessionToken(token: string): boolean {
  return SESSION_TOKEN.test(token);
}
