/**
 * The HTTP app: security headers, body limit, better-auth under /api/auth, the REST API
 * under /api (routes/), and the built client with an SPA fallback. No side effects:
 * main.ts builds the dependencies and serves the result; tests call `app.request()`.
 */
import fs from "node:fs";
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { SYNC_PATH } from "@messenger/shared";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AuthService } from "./auth/auth.js";
import { requireSession } from "./auth/require-session.js";
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import { AppError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";
import type { MessageWriter } from "./relay/types.js";
import { authRoutes } from "./routes/auth.js";
import { conversationRoutes, type PublishConversation } from "./routes/conversations.js";
import { errorHandler } from "./routes/error-handler.js";
import { groupRoutes } from "./routes/groups.js";
import { healthRoutes, type ReadinessCheck } from "./routes/health.js";
import { metricsRoute } from "./routes/metrics.js";
import { requestLog } from "./routes/request-log.js";
import { searchRoutes } from "./routes/search.js";
import { settingsRoutes } from "./routes/settings.js";
import { type PresenceReader, usersRoutes } from "./routes/users.js";
import { writeLimit } from "./routes/write-limit.js";
import type { MemberMarks, Store } from "./store/types.js";
import type { WriteBudget } from "./write-budget.js";

/** Largest request body anywhere; a 4,000-character message is at most ~24 KB of JSON. */
export const MAX_BODY_BYTES = 64 * 1024;
const IMMUTABLE_CACHE = "public, max-age=31536000, immutable";
const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface AppDeps {
  /** Shared with the relay, so REST and socket writes draw on one budget per user. */
  writeBudget?: WriteBudget;
  config: Config;
  store: Store;
  auth: AuthService;
  presence: PresenceReader;
  messageWriter: MessageWriter;
  publishConversation?: PublishConversation;
  /** A member's read or delivery mark moved: their own inbox shows it (the relay, on every process). */
  readsChanged?: (marks: MemberMarks) => void;
  /** A user's settings changed: their inbox on every device shows it (the relay, on every process). */
  settingsChanged?: (userId: string, readReceipts: boolean) => void;
  /** Closes a removed group member's sockets on the conversation (the relay, on every process). */
  memberRemoved?: (conversationId: string, userId: string) => void;
  clock: Clock;
  logger: Logger;
  /** Counts HTTP requests and serves GET /metrics; none when absent. */
  metrics?: Metrics;
  /** What GET /api/ready asks (the store answers, migrations done); always ready when absent. */
  ready?: ReadinessCheck;
}

export function createApp(deps: AppDeps) {
  const { config, auth, logger } = deps;
  const app = new Hono();

  // First, so every request (errors and 404s too) gets an id, a log line and a metric sample.
  app.use(requestId());
  app.use(requestLog({ logger, metrics: deps.metrics }));
  app.use(secureHeaders(securityHeaderOptions(config)));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new AppError("PAYLOAD_TOO_LARGE");
      },
    }),
  );

  app.route("/api", healthRoutes(deps.ready ?? (async () => {}), logger));
  if (deps.metrics) app.get("/metrics", metricsRoute(deps.metrics, config.metricsToken));
  app.route("/api/auth", authRoutes(auth, { trustedProxies: config.trustedProxies }));

  // better-auth checks Origin on its own routes; ours refuse a write from a site we do not trust.
  app.use("/api/*", async function trustedOrigin(c, next) {
    const origin = c.req.header("origin");
    if (UNSAFE_METHODS.has(c.req.method) && origin !== undefined && !auth.isTrustedOrigin(origin)) {
      throw new AppError("UNTRUSTED_ORIGIN");
    }
    await next();
  });
  const session = requireSession(auth);
  // "/x/*" matches "/x" too.
  app.use("/api/users/*", session);
  app.use("/api/conversations/*", session);
  // Read and delivery marks draw on a budget of their own: reading must not use up what sending needs.
  app.use("/api/conversations/*", writeLimit({ budget: deps.writeBudget, applies: (p) => !isMarkPath(p) }));
  app.use("/api/conversations/*", writeLimit({ burst: MARK_BURST, perSecond: MARKS_PER_SECOND, applies: isMarkPath }));
  app.use("/api/search/*", session);
  app.use("/api/settings/*", session);
  app.use("/api/groups/*", session);
  app.use("/api/groups/*", writeLimit({ budget: deps.writeBudget }));
  app.route("/api/users", usersRoutes({ users: deps.store.users, presence: deps.presence }));
  app.route(
    "/api/conversations",
    conversationRoutes({ ...deps, users: deps.store.users, repo: deps.store.conversations }),
  );
  app.route("/api/search", searchRoutes({ repo: deps.store.conversations }));
  app.route(
    "/api/settings",
    settingsRoutes({ ...deps, settings: deps.store.settings, repo: deps.store.conversations }),
  );
  app.route("/api/groups", groupRoutes({ ...deps, groups: deps.store.groups, users: deps.store.users }));

  app.onError(errorHandler(logger));
  app.notFound((c) => {
    if (isApiPath(c.req.path)) {
      const err = new AppError("NOT_FOUND");
      return c.json(err.toBody(), 404);
    }
    return c.text("Not Found", 404);
  });

  if (config.clientDist && fs.existsSync(path.join(config.clientDist, "index.html")))
    serveClient(app, config.clientDist);
  return app;
}

const isApiPath = (p: string) => p === "/api" || p.startsWith("/api/");
/** PUT /api/conversations/:id/read and …/delivered. */
const isMarkPath = (p: string) => /^\/api\/conversations\/[^/]+\/(read|delivered|mute)$/.test(p);
/** Read and delivery marks a user may send in a burst, and per second after it (every device, every conversation). */
export const MARK_BURST = 120;
export const MARKS_PER_SECOND = 10;
const isSyncPath = (p: string) => p === SYNC_PATH || p.startsWith(`${SYNC_PATH}/`);

/** The built client: hashed assets cached for a year, the shell and service worker revalidated. */
function serveClient(app: Hono, root: string) {
  const files = serveStatic({ root });
  const shell = serveStatic({ root, path: "index.html" });
  const none = async () => {};
  app.get("*", async function clientFiles(c, next) {
    const p = c.req.path;
    if (isApiPath(p) || isSyncPath(p)) return next();
    const isAsset = p.startsWith("/assets/");
    // SPA fallback: a path that is no file gets the app shell (but a missing asset stays a 404).
    const res = (await files(c, none)) ?? (isAsset ? undefined : await shell(c, none));
    if (!res) return next();
    if (isAsset) res.headers.set("Cache-Control", IMMUTABLE_CACHE);
    else if (res.headers.get("content-type")?.startsWith("text/html") || p === "/sw.js")
      res.headers.set("Cache-Control", "no-cache");
    return res;
  });
}

function securityHeaderOptions(config: Config) {
  // The client talks to its own origin over HTTP and WebSocket; older browsers do not
  // count ws:/wss: of the same host as 'self', so name it.
  const wsOrigin = config.baseUrl.replace(/^http/, "ws");
  return {
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'", wsOrigin],
      imgSrc: ["'self'", "data:", "blob:"],
      // Solid sets style attributes at run time.
      styleSrc: ["'self'", "'unsafe-inline'"],
      scriptSrc: ["'self'"],
      workerSrc: ["'self'"],
      manifestSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
    },
    strictTransportSecurity: config.production ? "max-age=31536000; includeSubDomains" : false,
    crossOriginEmbedderPolicy: false,
  };
}
