/**
 * Error codes, defined once. The server answers `{ error: { code, message } }`
 * with the status below; the client shows `ERROR_MESSAGES[code]`, never a raw message.
 */
export const ERROR_MESSAGES = {
  VALIDATION_FAILED: "Some of the information sent is not valid.",
  UNAUTHENTICATED: "Please sign in to continue.",
  SESSION_ENDED: "Your session has ended. Please sign in again.",
  FORBIDDEN: "You do not have access to this.",
  NOT_FOUND: "That could not be found.",
  CONFLICT: "That conflicts with something that already exists.",
  PAYLOAD_TOO_LARGE: "That is too large to send.",
  RATE_LIMITED: "Too many attempts. Please wait a moment and try again.",
  UNTRUSTED_ORIGIN: "This site is not allowed to talk to the server.",
  NOT_READY: "The server is starting or stopping. Please try again in a moment.",
  TOO_MANY_SOCKETS: "Too many open connections. Close some tabs or devices, then try again.",
  INTERNAL: "Something went wrong on our side. Please try again.",
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export const ERROR_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  SESSION_ENDED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNTRUSTED_ORIGIN: 403,
  NOT_READY: 503,
  TOO_MANY_SOCKETS: 429,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_MESSAGES, value);
}
