import type { AppRouter } from "@lapse/api/router";
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { toLapseError } from "./errors.ts";

/**
 * `verifyProof(document, verifierKey)` checks a proof document (`admin.profiles.proof`) offline
 * against the log's verifier key, or a list of keys: the signed checkpoint, every entry's
 * inclusion proof, the profile binding and the order. Total: problems come back named by kind.
 * It is @lapse/proof's verifyProofDocument, bundled in.
 */
export {
  type ProofDocument,
  type ProofDocumentEntry,
  type ProofProblem,
  type ProofProblemKind,
  type ProofVerification,
  verifyProofDocument as verifyProof,
} from "@lapse/proof";
export { LapseError, type LapseErrorCode, type LapseIssue, toLapseError } from "./errors.ts";
export type { AppRouter };
/** Every procedure's input, e.g. `RouterInputs["profile"]["update"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Every procedure's answer, e.g. `RouterOutputs["profile"]["get"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export interface LapseClientOptions {
  /** The API's base URL, e.g. `https://lapse.example.com` (without `/trpc`). */
  url: string;
  /**
   * A secret key (server side) or a publishable key (browsers). Leave it out only where a
   * session cookie authenticates instead (the admin console, with `headers`).
   */
  key?: string | undefined;
  /** Extra headers for every call, e.g. `{ "X-Lapse-Console": "1" }` for the console. */
  headers?: Record<string, string> | undefined;
  /** With a publishable key: the customer's profile token, or a function that returns it. */
  profileToken?: string | (() => string | Promise<string>) | undefined;
  /** A fetch to use instead of the global one (tests, service bindings, proxies). */
  fetch?: typeof fetch | undefined;
}

export type LapseClient = TRPCClient<AppRouter>;

/** Wraps the tRPC proxy so every `query` / `mutate` rejects with a LapseError. */
function withLapseErrors<T extends object>(target: T): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property);
      if (property === "query" || property === "mutate") {
        const call = value as (...args: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]) => {
          try {
            return await call(...args);
          } catch (error) {
            throw toLapseError(error);
          }
        };
      }
      return (typeof value === "function" || typeof value === "object") && value !== null
        ? withLapseErrors(value)
        : value;
    },
  });
}

/**
 * A fully typed client for every Lapse procedure:
 * `await lapse.profile.update.mutate({ profileId, changes: [{ consent: "newsletter", status: "accepted" }] })`.
 * Failures reject with a `LapseError` whose `code` is the API's (`LEGAL_BASIS_REFUSED`, …).
 */
export function createLapseClient(options: LapseClientOptions): LapseClient {
  const base = options.url.replace(/\/+$/, "");
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${base}/trpc`,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        async headers() {
          const token =
            typeof options.profileToken === "function"
              ? await options.profileToken()
              : options.profileToken;
          return {
            ...options.headers,
            ...(options.key ? { Authorization: `Bearer ${options.key}` } : {}),
            ...(token ? { "X-Lapse-Profile-Token": token } : {}),
          };
        },
      }),
    ],
  });
  return withLapseErrors(client);
}
