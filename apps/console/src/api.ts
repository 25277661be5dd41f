import {
  createLapseClient,
  LapseError,
  type ProofProblem,
  type ProofVerification,
  type RouterInputs,
  type RouterOutputs,
  verifyProof,
} from "@lapse/client";

export { LapseError, type ProofProblem, type ProofVerification, verifyProof };
export type Consent = RouterOutputs["admin"]["consents"]["list"][number];
export type ConsentKind = Consent["kind"];
export type ConsentUpdate = RouterInputs["admin"]["consents"]["update"];
export type EventType = RouterInputs["admin"]["expiry"]["preview"]["extendOn"][number];
export type Forecast = RouterOutputs["admin"]["expiry"]["forecast"];
export type Run = RouterOutputs["admin"]["runs"]["list"][number];
export type RunDetail = RouterOutputs["admin"]["runs"]["get"];
/** A customer's proof document (`lapse-proof/2` of @lapse/proof), as `admin.profiles.proof` answers it. */
export type Proof = RouterOutputs["admin"]["profiles"]["proof"];
export type ProofEntry = Proof["entries"][number];
/** The server's check of a customer's entries against the tree and its signed checkpoint. */
export type ProofCheck = RouterOutputs["admin"]["profiles"]["verify"];
export type Erasure = RouterOutputs["admin"]["profiles"]["erase"];
/**
 * One consent of the customer as `profile.get` shows it: the document's `states` are the same
 * view (apps/api services/profiles/view.ts), typed `unknown[]` by @lapse/proof because nothing
 * signs them.
 */
export type ProfileState = RouterOutputs["profile"]["get"]["consents"][number];
export type ApiKey = RouterOutputs["admin"]["keys"]["list"][number];
export type Scope = NonNullable<RouterInputs["admin"]["keys"]["create"]["scopes"]>[number];

/**
 * Same origin as the console; no key: the HttpOnly session cookie authenticates, and the
 * header tells the API this is a console call (a cross-site form cannot set it).
 */
export const lapse = createLapseClient({
  url: window.location.origin,
  headers: { "X-Lapse-Console": "1" },
});

export interface Session {
  tenant: string;
  keyId: string;
}

const SESSION_URL = "/console/api/session";

async function failure(response: Response): Promise<LapseError> {
  const body = (await response.json().catch(() => null)) as {
    code?: string;
    message?: string;
    requestId?: string;
  } | null;
  return new LapseError({
    code: (body?.code ?? "INTERNAL_SERVER_ERROR") as LapseError["code"],
    message: body?.message ?? response.statusText,
    httpStatus: response.status,
    requestId: body?.requestId ?? null,
    issues: [],
  });
}

/** The current session, or null when signed out (or the session ended). */
export async function getSession(): Promise<Session | null> {
  const response = await fetch(SESSION_URL, { credentials: "same-origin" });
  if (response.status === 401) {
    return null;
  }
  if (!response.ok) {
    throw await failure(response);
  }
  return (await response.json()) as Session;
}

/** Exchanges the key for the session cookie; the key goes nowhere else. */
export async function signIn(key: string): Promise<void> {
  const response = await fetch(SESSION_URL, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ key }),
  });
  if (!response.ok) {
    throw await failure(response);
  }
}

export async function signOut(): Promise<void> {
  const response = await fetch(SESSION_URL, { method: "DELETE", credentials: "same-origin" });
  if (!response.ok) {
    throw await failure(response);
  }
}
