/**
 * The composition root: the only module with start-up side effects. Builds every
 * service from the config, seeds an empty database, serves HTTP and /sync on one port.
 *
 *   node --import tsx src/main.ts    start with the environment's configuration (npm start)
 *   node dist/main.js                the same, compiled (npm run build -w sync-server)
 *   startServer(config, { clock })   the same, in-process (tests), returning a handle
 */
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import { seed } from "@messenger/seeds";
import type { ConversationSummary } from "@messenger/shared";
import { createApp } from "./app.js";
import { type AuthService, createAuth } from "./auth/index.js";
import { type Clock, systemClock } from "./clock.js";
import { type ClusterBus, createRedisBus, createSingleProcessBus } from "./cluster/bus.js";
import { connectRedis, type RedisLink } from "./cluster/redis.js";
import { createSharedState, type SharedState } from "./cluster/shared-state.js";
import { type Config, ConfigError, loadConfig, readEnvironment } from "./config.js";
import { createLogger, type Logger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { createDisabledPushSender } from "./notify/push.js";
import { createOrigins } from "./origins.js";
import { createPresence } from "./presence/index.js";
import { redactUrl } from "./redact-url.js";
import { createRelay, type Relay, type RelayOptions } from "./relay/index.js";
import { explainListenError, StartupError } from "./startup-error.js";
import { openStore, type Store } from "./store/index.js";

/** How often expired and over-age sessions are deleted (their sockets close at once). */
export const SESSION_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Relay timings a test may shorten (a 100 ms ping instead of 15 s, say). */
export type RelayTunables = Pick<
  RelayOptions,
  "roomIdleUnloadMs" | "compactAfterUpdates" | "sessionSweepMs" | "pingIntervalMs" | "limits"
>;

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  relay?: RelayTunables;
  /** Also export prom-client's process and Node.js metrics (the real process; not per test app). */
  defaultMetrics?: boolean;
}

export interface RunningServer {
  port: number;
  url: string;
  server: http.Server;
  services: {
    config: Config;
    store: Store;
    /** The store's conversations (tests read them). */
    repo: Store["conversations"];
    auth: AuthService;
    /** Messages to the other processes (nothing to tell without REDIS_URL). */
    bus: ClusterBus;
    relay: Relay;
    presence: Relay["presence"];
  };
  /** Stops accepting, flushes and compacts documents, closes sockets and the database. */
  close(): Promise<void>;
}

/** Every service of one server process, built from the config; nothing listens yet. */
export async function createServices(
  config: Config,
  options: StartOptions & { publishConversation?: (summary: ConversationSummary) => void } = {},
) {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = await openStore(config, clock);
  // Several processes (REDIS_URL): Redis carries what one process kept in memory.
  let redis: RedisLink | null = null;
  try {
    if (config.redisUrl) redis = await connectRedis(config.redisUrl, config.redisKeyPrefix, logger);
  } catch (error) {
    await store.close();
    throw error;
  }
  const bus: ClusterBus = redis ? createRedisBus(redis, logger) : createSingleProcessBus();
  const limits = { ...config.relayLimits, ...options.relay?.limits };
  // Presence, sessions and limits: in memory for one process, in Redis for several.
  let shared: SharedState;
  try {
    shared = await createSharedState({
      redis,
      bus,
      store,
      clock,
      logger,
      writeBudget: { burst: limits.writeBurst, perSecond: limits.writesPerSecond },
      heartbeatMs: config.clusterHeartbeatMs,
    });
  } catch (error) {
    await redis?.close();
    await store.close();
    throw error;
  }
  const origins = createOrigins(config);
  const { throttle, rateLimitStorage } = shared;
  const auth = createAuth({ config, store, clock, logger, origins, throttle, rateLimitStorage });
  const unshareAuth = shared.shareAuth(auth);
  try {
    // Under the store's start-up lock: processes starting together migrate once.
    await store.exclusive(() => auth.migrate());
  } catch (error) {
    await shared.registry.close();
    await redis?.close();
    await store.close();
    throw error;
  }
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics });
  let draining = false;
  const ready = async () => {
    if (draining) throw new Error("shutting down");
    await Promise.all([store.ready(), bus.ready()]);
  };
  const presence = createPresence(store, clock, { logger, registry: shared.registry });
  auth.onUserChanged(presence.userChanged);
  // One write budget per user for REST writes and messages written over sockets.
  const { writeBudget } = shared;
  const relay = createRelay({
    bus,
    writeBudget,
    store,
    clock,
    logger,
    presence,
    authenticate: auth.authenticate,
    sessions: auth.liveness,
    isTrustedOrigin: origins.isTrusted,
    metrics: metrics.relay,
    ...options.relay,
    limits,
  });
  const app = createApp({
    config,
    store,
    auth,
    presence,
    messageWriter: relay,
    writeBudget,
    publishConversation: options.publishConversation ?? relay.publishConversation,
    memberRemoved: relay.memberRemoved,
    readsChanged: relay.readsChanged,
    settingsChanged: relay.settingsChanged,
    clock,
    logger,
    metrics,
    ready,
  });
  metrics.countRoomsWith(() => relay.stats().rooms.length);
  // Push to devices with no tab open: only the disabled sender exists (config.pushProvider is
  // reserved). A Web Push sender would be picked here and called after a commit for members
  // with no socket (docs/architecture.md § Notifications).
  const push = createDisabledPushSender();
  /** From now on /api/ready answers 503, so a load balancer stops sending traffic. */
  const drain = () => {
    draining = true;
  };
  /** Closes what createServices opened, in reverse order. */
  const close = async () => {
    drain();
    await relay.close();
    await presence.close();
    unshareAuth();
    shared.close();
    await bus.close();
    await redis?.close();
    await store.close();
  };
  const repo = store.conversations;
  return {
    config,
    clock,
    logger,
    store,
    redis,
    bus,
    repo,
    origins,
    metrics,
    auth,
    presence,
    relay,
    app,
    push,
    drain,
    close,
  };
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const services = await createServices(config, options);
  const { clock, logger, store, origins, auth, relay, presence, app } = services;

  if (config.seed) {
    // Under the start-up lock, so several processes starting on one empty database seed it once.
    await store.exclusive(async () => {
      if ((await store.users.count()) > 0) return;
      await seed({
        auth,
        users: store.users,
        repo: store.conversations,
        groups: store.groups,
        messageWriter: relay,
        publishConversation: relay.publishConversation,
        clock,
        logger,
      });
      await relay.settled();
    });
  }

  let server: http.Server;
  try {
    server = await listen(app.fetch, config);
  } catch (error) {
    await services.close();
    throw error;
  }
  relay.attach(server);
  const port = (server.address() as AddressInfo).port;
  origins.listening(port);
  const url = origins.url();
  logger.info("listening", {
    url,
    store: store.kind,
    database: config.databaseUrl ? redactUrl(config.databaseUrl) : config.databasePath,
  });

  const sweep = setInterval(() => auth.sweepSessions(), SESSION_SWEEP_INTERVAL_MS);
  sweep.unref();

  let closing: Promise<void> | null = null;
  return {
    port,
    url,
    server,
    services: { config, store, repo: store.conversations, auth, bus: services.bus, relay, presence },
    close() {
      closing ??= (async () => {
        services.drain();
        clearInterval(sweep);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await relay.close();
        server.closeAllConnections?.();
        await stopped;
        await services.close();
      })();
      return closing;
    },
  };
}

/** Listens on config.port and config.host; a taken port or a foreign HOST rejects with a StartupError. */
function listen(fetch: (request: Request) => Response | Promise<Response>, config: Config): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const s = serve({ fetch, port: config.port, hostname: config.host }, () => {
      s.off("error", failed);
      resolve(s as http.Server);
    });
    const failed = (error: Error) => {
      s.close();
      reject(explainListenError(error, { port: config.port, host: config.host }));
    };
    s.once("error", failed);
  });
}

/** Prints why the server cannot start (one sentence per problem) and exits non-zero. */
function refuseToStart(error: unknown): never {
  if (error instanceof ConfigError) {
    const [only, ...more] = error.problems;
    const text = more.length === 0 ? only : `fix these variables:\n  - ${error.problems.join("\n  - ")}`;
    process.stderr.write(`Messenger cannot start: ${text}\n`);
    process.exit(78); // EX_CONFIG
  }
  if (error instanceof StartupError) {
    process.stderr.write(`Messenger cannot start: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let running: RunningServer;
  try {
    running = await startServer(loadConfig(readEnvironment()), { defaultMetrics: true });
  } catch (error) {
    refuseToStart(error);
  }
  process.stdout.write(`Messenger is running at ${running.url}\n`);
  const shutdown = (signal: string) => {
    process.stdout.write(`${signal}: shutting down\n`);
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch(refuseToStart);
}
