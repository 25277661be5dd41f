/** The codes a service may fail with; the transports map each to a status (exhaustively). */
export type ServiceErrorCode =
  | "BAD_REQUEST"
  | "NOT_FOUND"
  | "CONFLICT"
  | "LEGAL_BASIS_REFUSED"
  | "EXPIRY_ACTIVE"
  | "EXPIRY_NOT_CONFIGURED"
  | "PROFILE_ERASED"
  | "UNAVAILABLE";

/** One bad item of a batch: where it is and why it was refused. */
export interface ItemIssue {
  path: string;
  message: string;
}

/** Expected failures of a service. Anything else is a bug and becomes "Internal error". */
export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  readonly issues: ItemIssue[];
  /** For UNAVAILABLE: when to try again (the transports send it as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ServiceErrorCode,
    message: string,
    issues: ItemIssue[] = [],
    retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "ServiceError";
    this.code = code;
    this.issues = issues;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
