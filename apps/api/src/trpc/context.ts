import type { Db, ShardResolver } from "../db/client.ts";
import type { ExpiryRuntime } from "../services/expiry/runtime.ts";
import type { Credential, SigningSecrets } from "../services/keys/authenticate-key.ts";
import type { ProofKeys } from "../services/proof/keys.ts";

/** Replaceable in tests; in production the Workers Rate Limiting binding. */
export interface RateLimiter {
  /** True when a call with this API key (its id) may go ahead. */
  allow(keyId: string): Promise<boolean>;
  /** True when a call on this profile (`<tenant>:<profile>`) may go ahead; absent: no limit. */
  allowProfile?(profile: string): Promise<boolean>;
}

/** The resolved credential of a call, or why there is none (null: none was sent). */
export type CallAuth = { ok: true; credential: Credential } | { ok: false; message: string } | null;

/** What the procedures use on the server: the D1 databases, the rate limiter, the nightly machinery. */
export interface ServerDeps {
  /** The control plane. */
  db: Db;
  /** The data shards by binding name (the credential names its tenant's). */
  shard: ShardResolver;
  rateLimiter: RateLimiter;
  resHeaders: Headers;
  /** The tenant's profile-token secrets, read with a publishable key (empty otherwise). */
  signingSecrets: SigningSecrets;
  /** For `admin.runs.trigger`. */
  expiry: ExpiryRuntime;
  /** The transparency log's keys and the erasure key (R11, R13), from the Worker's secrets. */
  proof: ProofKeys;
}

/**
 * The root context. Server dependencies travel as `deps: unknown` and are typed by the first
 * middleware (init.ts): the router's type, which @lapse/client ships, then names no Workers,
 * Drizzle or Hono type.
 */
export interface TrpcContext {
  requestId: string;
  now: number;
  auth: CallAuth;
  profileToken: string | null;
  origin: string | null;
  deps: unknown;
}
