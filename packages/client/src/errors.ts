import type { ApiErrorCode } from "@lapse/api/errors";
import { TRPCClientError } from "@trpc/client";

/**
 * The codes the Lapse API answers with (`error.data.code`, or a plain route's `code`): the
 * server's own union, plus `NETWORK_ERROR` when no answer came back.
 */
export type LapseErrorCode = ApiErrorCode | "NETWORK_ERROR";

export interface LapseIssue {
  /** Where in the input, e.g. `events.3.occurredAt`. */
  path: string;
  message: string;
}

/** Every failed call rejects with this: the API's own code, message, request id and issues. */
export class LapseError extends Error {
  readonly code: LapseErrorCode;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
  readonly issues: LapseIssue[];

  constructor(init: {
    code: LapseErrorCode;
    message: string;
    httpStatus: number | null;
    requestId: string | null;
    issues: LapseIssue[];
    cause?: unknown;
  }) {
    super(init.message, { cause: init.cause });
    this.name = "LapseError";
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.requestId = init.requestId;
    this.issues = init.issues;
  }
}

interface ErrorData {
  code?: string;
  httpStatus?: number;
  requestId?: string | null;
  issues?: LapseIssue[];
}

/** Turns whatever a tRPC call threw into a LapseError. */
export function toLapseError(error: unknown): LapseError {
  if (error instanceof LapseError) {
    return error;
  }
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? null) as ErrorData | null;
    if (data?.code) {
      return new LapseError({
        code: data.code as LapseErrorCode,
        message: error.message,
        httpStatus: data.httpStatus ?? null,
        requestId: data.requestId ?? null,
        issues: data.issues ?? [],
        cause: error,
      });
    }
    // Not a tRPC answer: the network failed, or a route outside tRPC answered (e.g. 413).
    const meta = error.meta as { response?: Response; responseJSON?: unknown } | undefined;
    const json = meta?.responseJSON as
      | { code?: string; message?: string; requestId?: string }
      | undefined;
    return new LapseError({
      code: (json?.code as LapseErrorCode | undefined) ?? "NETWORK_ERROR",
      message: json?.message ?? error.message,
      httpStatus: meta?.response?.status ?? null,
      requestId: json?.requestId ?? null,
      issues: [],
      cause: error,
    });
  }
  return new LapseError({
    code: "NETWORK_ERROR",
    message: error instanceof Error ? error.message : String(error),
    httpStatus: null,
    requestId: null,
    issues: [],
    cause: error,
  });
}
