import type { Db } from "../services/context";
import type { Credential } from "../services/keys/authenticate";

/** Replaceable in tests; in production the Workers Rate Limiting binding. */
export interface RateLimiter {
  /** True when the call may go ahead. */
  allow(key: string): Promise<boolean>;
}

export interface TrpcContext {
  db: Db;
  requestId: string;
  now: number;
  /** The resolved key, or why there is none. */
  auth: { ok: true; credential: Credential } | { ok: false; message: string } | null;
  profileToken: string | null;
  origin: string | null;
  rateLimiter: RateLimiter;
  resHeaders: Headers;
}
