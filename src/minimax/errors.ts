/** MiniMax `base_resp.status_code` values and what each means for us (contract, section 5). */
export const RETRYABLE_CODES = new Set([1000, 1001, 1002, 1013, 1024, 1033, 1039, 1041, 2045]);
/** Problems only the operator can fix: the user just hears that the service is briefly unavailable. */
export const OPERATOR_CODES = new Set([1004, 1008, 2049]);

/** What the user is told about a job MiniMax did not make (locales: failed-<kind>). */
export const FAILURE_KINDS = ["sensitive_input", "sensitive_output", "unavailable", "invalid", "timeout", "unknown_outcome", "usage_limit", "base_unavailable", "error"] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** The user-facing category of a MiniMax code; the message text for each lives in the locale files. */
export function failureKind(code: number | string | undefined): FailureKind {
  switch (Number(code)) {
    case 1026:
      return "sensitive_input";
    case 1027:
      return "sensitive_output";
    case 2013:
      return "invalid";
    case 2056:
      return "usage_limit";
    default:
      if (OPERATOR_CODES.has(Number(code)) || RETRYABLE_CODES.has(Number(code))) return "unavailable";
      return "error";
  }
}

export class MiniMaxApiError extends Error {
  override name = "MiniMaxApiError";
  constructor(
    readonly code: number,
    readonly statusMessage: string,
    readonly endpoint: string,
    /** The v2 API answers errors with their HTTP status; v1 with 200. */
    readonly httpStatus?: number,
  ) {
    super(`MiniMax ${endpoint} answered ${httpStatus ? `HTTP ${httpStatus} ` : ""}${code} ${statusMessage}`);
  }
  get retryable() {
    return RETRYABLE_CODES.has(this.code);
  }
  get operatorProblem() {
    return OPERATOR_CODES.has(this.code);
  }
}

/**
 * A transport failure. `requestSent` tells whether MiniMax may have received the request:
 * a refused connection never reached it; a timeout after the body went out may have created a task.
 */
export class MiniMaxTransportError extends Error {
  override name = "MiniMaxTransportError";
  constructor(
    message: string,
    readonly requestSent: boolean,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}
