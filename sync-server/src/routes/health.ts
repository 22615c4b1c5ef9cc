/**
 * For orchestrators and load balancers:
 *   GET /api/health   liveness: 200 while the process serves HTTP (restart it when this fails);
 *   GET /api/ready    readiness: 200 only when the store answers and its migrations are done,
 *                     503 NOT_READY otherwise (and while shutting down), so traffic goes elsewhere.
 */
import { Hono } from "hono";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";

/** Resolves when the process can serve: its store answers and is migrated. Rejects with why not. */
export type ReadinessCheck = () => Promise<void>;

export function healthRoutes(ready: ReadinessCheck, logger: Logger) {
  const app = new Hono();
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/ready", async (c) => {
    try {
      await ready();
    } catch (err) {
      logger.warn("not ready", { reason: err instanceof Error ? err.message : String(err) });
      throw new AppError("NOT_READY");
    }
    return c.json({ status: "ready" });
  });
  return app;
}
