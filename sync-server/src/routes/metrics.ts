/**
 * GET /metrics: Prometheus' text format. Open unless METRICS_TOKEN is set; then only
 * `Authorization: Bearer <METRICS_TOKEN>` is answered (a scraper's bearer_token).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Handler } from "hono";
import { AppError } from "../errors.js";
import type { Metrics } from "../metrics.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function metricsRoute(metrics: Pick<Metrics, "render" | "contentType">, token: string | null): Handler {
  const expected = token === null ? null : digest(`Bearer ${token}`);
  return async function metricsEndpoint(c) {
    if (expected && !timingSafeEqual(digest(c.req.header("authorization") ?? ""), expected))
      throw new AppError("UNAUTHENTICATED");
    c.header("Cache-Control", "no-store");
    return c.body(await metrics.render(), 200, { "Content-Type": metrics.contentType });
  };
}
