import type { ServiceErrorCode } from "./services/errors.ts";

/**
 * The codes the transports add to the services' own: a missing or refused credential, a
 * limit, a request of the wrong shape, and the internal error that says nothing more.
 */
export type TransportErrorCode =
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "TOO_MANY_REQUESTS"
  | "PAYLOAD_TOO_LARGE"
  | "METHOD_NOT_ALLOWED"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "PRECONDITION_FAILED"
  | "INTERNAL_SERVER_ERROR";

/**
 * Every `code` the API answers with, in a tRPC error's `data.code` or a plain route's
 * envelope; @lapse/client's `LapseErrorCode` is this union (plus its own `NETWORK_ERROR`).
 */
export type ApiErrorCode = ServiceErrorCode | TransportErrorCode;

/** The body of every error outside tRPC: `{ code, message, requestId }`. */
export function errorEnvelope(code: ApiErrorCode, message: string, requestId: string) {
  return { code, message, requestId };
}
