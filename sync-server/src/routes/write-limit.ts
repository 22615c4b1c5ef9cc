/**
 * Per-user rate limit on REST writes (creating conversations, posting messages), so one
 * account or bot cannot flood the database. Reads are not limited. The budget is the
 * one the relay charges for messages written over sockets (write-budget.ts); better-auth
 * limits its own routes per IP.
 */
import type { MiddlewareHandler } from "hono";
import type { SessionVariables } from "../auth/require-session.js";
import { AppError } from "../errors.js";
import { createWriteBudget, type WriteBudget } from "../write-budget.js";

export { WRITE_BURST, WRITES_PER_SECOND } from "../write-budget.js";

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function writeLimit(
  options: {
    budget?: WriteBudget;
    burst?: number;
    perSecond?: number;
    now?: () => number;
    /** Only requests whose path this accepts are charged (all when absent). */
    applies?: (path: string) => boolean;
  } = {},
): MiddlewareHandler<{ Variables: SessionVariables }> {
  const budget = options.budget ?? createWriteBudget(options);
  return async function writeLimit(c, next) {
    if (!WRITE_METHODS.has(c.req.method)) return next();
    if (options.applies && !options.applies(c.req.path)) return next();
    if (!budget.take(c.get("user").id)) {
      c.header("Retry-After", String(budget.retryAfterSeconds));
      throw new AppError("RATE_LIMITED");
    }
    await next();
  };
}
