/**
 * One structured log line and one metric sample per HTTP request, with the request id
 * (Hono's requestId middleware, which also answers it as X-Request-Id). The route is the
 * matched pattern (`/api/conversations/:id/messages`), never the raw path, so metric labels
 * stay bounded. Probes (health, readiness, metrics) log at debug so they do not drown the rest.
 */
import type { MiddlewareHandler } from "hono";
import type { RequestIdVariables } from "hono/request-id";
import { routePath } from "hono/route";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";

const PROBES = new Set(["/api/health", "/api/ready", "/metrics"]);

export interface RequestLogOptions {
  logger: Logger;
  metrics?: Pick<Metrics, "httpRequest">;
}

export function requestLog({ logger, metrics }: RequestLogOptions): MiddlewareHandler<{
  Variables: RequestIdVariables;
}> {
  return async function requestLog(c, next) {
    const started = performance.now();
    await next();
    const ms = performance.now() - started;
    const route = routePath(c) || "unmatched";
    const status = c.res.status;
    metrics?.httpRequest(c.req.method, route, status, ms);
    const level = PROBES.has(c.req.path) ? "debug" : status >= 500 ? "error" : "info";
    logger[level]("request", {
      id: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      route,
      status,
      ms: Math.round(ms * 10) / 10,
    });
  };
}
