import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";
import type { ApiErrorCode } from "../error-codes.ts";
import { type ItemIssue, ServiceError, type ServiceErrorCode } from "../services/errors.ts";

/** Every service error code, mapped once; a new code that is not mapped fails the typecheck. */
const STATUS_OF = {
  BAD_REQUEST: "BAD_REQUEST",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  LEGAL_BASIS_REFUSED: "CONFLICT",
  EXPIRY_ACTIVE: "CONFLICT",
  EXPIRY_NOT_CONFIGURED: "PRECONDITION_FAILED",
  PROFILE_ERASED: "CONFLICT",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
} as const satisfies Record<ServiceErrorCode, TRPC_ERROR_CODE_KEY>;

/**
 * tRPC's own codes (an unknown procedure, a GET for a mutation, unparsable JSON, …) as the API's:
 * a caller sees the same code whichever layer refused the call.
 */
const CODE_OF = {
  PARSE_ERROR: "BAD_REQUEST",
  BAD_REQUEST: "BAD_REQUEST",
  UNPROCESSABLE_CONTENT: "BAD_REQUEST",
  CLIENT_CLOSED_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  PAYMENT_REQUIRED: "FORBIDDEN",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_SUPPORTED: "METHOD_NOT_ALLOWED",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  PRECONDITION_REQUIRED: "PRECONDITION_FAILED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  TIMEOUT: "INTERNAL_SERVER_ERROR",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
  NOT_IMPLEMENTED: "INTERNAL_SERVER_ERROR",
  BAD_GATEWAY: "INTERNAL_SERVER_ERROR",
  SERVICE_UNAVAILABLE: "INTERNAL_SERVER_ERROR",
  GATEWAY_TIMEOUT: "INTERNAL_SERVER_ERROR",
} as const satisfies Record<TRPC_ERROR_CODE_KEY, ApiErrorCode>;

export function toTRPCError(error: ServiceError): TRPCError {
  return new TRPCError({ code: STATUS_OF[error.code], message: error.message, cause: error });
}

/**
 * The `data` of every tRPC error: our own `code` (e.g. `LEGAL_BASIS_REFUSED`), the request id,
 * and for bad input each problem's path and reason. Internal errors say nothing more.
 */
export function errorData(error: TRPCError, requestId: string | undefined) {
  const cause = error.cause;
  let code: ApiErrorCode = CODE_OF[error.code];
  let message = error.message;
  let issues: ItemIssue[] = [];
  if (cause instanceof ServiceError) {
    code = cause.code;
    issues = cause.issues;
  } else if (cause instanceof ZodError && error.code === "BAD_REQUEST") {
    // Only the input parser's ZodError is the caller's fault; one thrown while reading stored
    // rows is an internal error like any other, and its issues must not be echoed.
    message = "Invalid input; nothing was changed.";
    issues = cause.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
    }));
  } else if (code === "INTERNAL_SERVER_ERROR") {
    message = "Internal error";
  }
  return { message, code, requestId: requestId ?? null, issues };
}
