/**
 * The one place errors become responses: `{ "error": { "code", "message" } }` with the
 * code's status. AppError passes through; a ZodError becomes VALIDATION_FAILED naming
 * each bad field; anything else is logged and answered as INTERNAL without internals.
 */
import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";

export function toAppError(err: unknown, logger: Logger, c: Context): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) {
    const details = err.issues.map((issue) => ({
      field: issue.code === "unrecognized_keys" ? issue.keys.join(",") : issue.path.join(".") || "(root)",
      problem: issue.message,
    }));
    return new AppError("VALIDATION_FAILED", undefined, details);
  }
  if (err instanceof HTTPException && err.status === 413) return new AppError("PAYLOAD_TOO_LARGE");
  logger.error("unhandled error", {
    id: c.get("requestId"),
    method: c.req.method,
    path: c.req.path,
    err: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  return new AppError("INTERNAL");
}

export function errorHandler(logger: Logger): ErrorHandler {
  return function onError(err, c) {
    const appError = toAppError(err, logger, c);
    return c.json(appError.toBody(), appError.status as ContentfulStatusCode);
  };
}
