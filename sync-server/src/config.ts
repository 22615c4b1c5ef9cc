/**
 * The only reader of process.env (and of the `.env` file). Validates every variable
 * at once and reports all problems together, each naming the variable and how to fix it.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import { loopbackOrigins } from "./origins.js";
import { DEFAULT_RELAY_LIMITS as L, type RelayLimits } from "./relay/limits.js";

export interface Config {
  production: boolean;
  port: number;
  host: string;
  dataDir: string;
  /** SQLite file path, or ":memory:". */
  databasePath: string;
  /** `postgres://…`: run on PostgreSQL instead of SQLite (DATA_DIR and DATABASE_PATH are then unused). */
  databaseUrl: string | null;
  /** Connections in the PostgreSQL pool. */
  databasePoolSize: number;
  /**
   * `redis://…`: run as one of several processes behind a load balancer, all on one
   * PostgreSQL (DATABASE_URL) and one Redis (fan-out, presence, revocation, shared limits).
   */
  redisUrl: string | null;
  /** Prefix of every Redis key and channel of this deployment (several may share one Redis). */
  redisKeyPrefix: string;
  /**
   * How often a process of several renews its presence heartbeat in Redis; one that misses
   * three is taken for dead and its users go offline everywhere.
   */
  clusterHeartbeatMs: number;
  /** Public base URL of the app (better-auth's baseURL), trusted as an origin. */
  baseUrl: string;
  authSecret: string;
  /**
   * BASE_URL, TRUSTED_ORIGINS and, in development, Vite's dev server. The loopback
   * origins of the server's own port are added by origins.ts once the port is known.
   */
  trustedOrigins: string[];
  /** Reverse proxies (IP addresses) whose X-Forwarded-For names the client for rate limits. */
  trustedProxies: string[];
  seed: boolean;
  /** Directory with the built client to serve, or null to serve none. */
  clientDist: string | null;
  /** Sessions slide by this much on use... */
  sessionIdleMs: number;
  /** ...but never live longer than this from sign-in. */
  sessionAbsoluteMs: number;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** When set, GET /metrics answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | null;
  /** What one user or socket may cost the relay (relay/limits.ts). */
  relayLimits: RelayLimits;
  /**
   * Reserved: how to push notifications to devices with no tab open. Only "disabled" exists
   * (notify/push.ts); Web Push would add "webpush" with its VAPID keys.
   */
  pushProvider: "disabled";
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/**
 * The repository root (the app's root in the image): two levels above this module,
 * both as source (sync-server/src) and compiled (sync-server/dist).
 */
export const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

type Env = Record<string, string | undefined>;

/**
 * The environment with a `.env` file underneath it: `ENV_FILE`, else `.env` in the app's
 * root (beside `.env.example`). Variables already set win, as with `node --env-file`.
 * A missing file is fine; an unreadable one is a ConfigError.
 */
export function readEnvironment(env: Env = process.env, root = APP_ROOT): Env {
  const file = env.ENV_FILE ? path.resolve(env.ENV_FILE) : path.join(root, ".env");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !env.ENV_FILE) return env;
    throw new ConfigError([
      `${env.ENV_FILE ? `ENV_FILE=${env.ENV_FILE}` : file} cannot be read (${code}): fix its permissions${env.ENV_FILE ? " or unset ENV_FILE" : " or remove it"}.`,
    ]);
  }
  return { ...parseEnv(text), ...env };
}

/** The port of Vite's dev server (vite.config.ts), trusted in development. */
const VITE_DEV_PORT = 5173;
const DEV_SECRET = "dev-only-secret-change-me-dev-only-secret-change-me";
const DAY_MS = 24 * 60 * 60 * 1000;

/** The configuration from `env` (see readEnvironment for `.env`); relative paths resolve against `cwd`. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const production = env.NODE_ENV === "production";

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw} is not a whole number from ${min} to ${max}; unset it to use ${fallback}.`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name}=${raw} must be true or false.`);
    return fallback;
  };

  const port = int("PORT", 3000, 0, 65535);
  const host = env.HOST || "0.0.0.0";
  const dataDir = path.resolve(cwd, env.DATA_DIR || "data");
  const databasePath =
    env.DATABASE_PATH === ":memory:" ? ":memory:" : path.resolve(dataDir, env.DATABASE_PATH || "messenger.sqlite");
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl))
    problems.push(
      "DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/messenger (leave it unset for SQLite in DATA_DIR).",
    );
  // At least 2: a commit holds one connection while inbox rooms it writes load on another.
  const databasePoolSize = int("DATABASE_POOL_SIZE", 10, 2, 1000);
  const redisUrl = env.REDIS_URL || null;
  if (redisUrl !== null && !/^rediss?:\/\//.test(redisUrl))
    problems.push("REDIS_URL must be a Redis URL such as redis://127.0.0.1:6379 (leave it unset for one process).");
  if (redisUrl !== null && databaseUrl === null)
    problems.push(
      "REDIS_URL needs DATABASE_URL: processes sharing one Redis must share one PostgreSQL database (a SQLite file belongs to one process).",
    );
  const redisKeyPrefix = env.REDIS_KEY_PREFIX ?? "messenger:";
  if (!/^[\w:.-]{1,64}$/.test(redisKeyPrefix))
    problems.push("REDIS_KEY_PREFIX must be 1-64 letters, digits or _ : . - (such as messenger:).");
  const clusterHeartbeatMs = int("CLUSTER_HEARTBEAT_MS", 5000, 50, 60_000);
  const baseUrl = (env.BASE_URL || `http://localhost:${port}`).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+$/.test(baseUrl))
    problems.push(`BASE_URL=${baseUrl} must be an origin such as https://chat.example.com.`);

  let authSecret = env.AUTH_SECRET ?? "";
  if (authSecret === "") {
    if (production)
      problems.push(
        "AUTH_SECRET is required in production: set it to 32+ random characters, e.g. `openssl rand -base64 32`.",
      );
    authSecret = DEV_SECRET;
  } else if (authSecret.length < 32) {
    problems.push("AUTH_SECRET must be at least 32 characters: generate one with `openssl rand -base64 32`.");
  }

  const extraOrigins = (env.TRUSTED_ORIGINS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of extraOrigins)
    if (!/^https?:\/\/[^/]+$/.test(o))
      problems.push(`TRUSTED_ORIGINS entry ${o} must be an origin such as https://chat.example.com.`);
  // Vite's dev server (npm run dev -w client) proxies the API from its own origin.
  const devOrigins = production ? [] : loopbackOrigins(VITE_DEV_PORT);
  const trustedOrigins = [...new Set([baseUrl, ...devOrigins, ...extraOrigins])];

  const trustedProxies = (env.TRUSTED_PROXIES ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of trustedProxies)
    if (!/^[0-9a-fA-F.:]+$/.test(p))
      problems.push(`TRUSTED_PROXIES entry ${p} must be an IP address such as 10.0.0.2.`);

  const clientDistRaw = env.CLIENT_DIST ?? path.join(APP_ROOT, "client", "dist");
  const clientDist = clientDistRaw === "" ? null : path.resolve(cwd, clientDistRaw);

  const sessionIdleMs = int("SESSION_IDLE_DAYS", 7, 1, 365) * DAY_MS;
  const sessionAbsoluteMs = int("SESSION_MAX_DAYS", 30, 1, 3650) * DAY_MS;
  if (sessionAbsoluteMs < sessionIdleMs) problems.push("SESSION_MAX_DAYS must be at least SESSION_IDLE_DAYS.");

  const logLevel = (env.LOG_LEVEL || (env.NODE_ENV === "test" ? "warn" : "info")) as Config["logLevel"];
  if (!["debug", "info", "warn", "error", "silent"].includes(logLevel))
    problems.push(`LOG_LEVEL=${logLevel} must be one of debug, info, warn, error, silent.`);

  // Demo users have a published password: never by default in production.
  const seed = bool("SEED", !production);

  // Reserved for Web Push (docs/architecture.md § Notifications): nothing else is implemented.
  const pushProvider = (env.PUSH_PROVIDER || "disabled") as Config["pushProvider"];
  if (pushProvider !== "disabled")
    problems.push(
      `PUSH_PROVIDER=${env.PUSH_PROVIDER} is reserved: push with every tab closed is not implemented yet; unset it (open tabs still notify).`,
    );

  const metricsToken = env.METRICS_TOKEN || null;
  if (metricsToken !== null && metricsToken.length < 16)
    problems.push("METRICS_TOKEN must be at least 16 characters: generate one with `openssl rand -hex 16`.");

  const relayLimits: RelayLimits = {
    socketsPerSession: int("SOCKETS_PER_SESSION", L.socketsPerSession, 1, 10_000),
    socketsPerUser: int("SOCKETS_PER_USER", L.socketsPerUser, 1, 100_000),
    bufferedHighWaterBytes: int("SOCKET_HIGH_WATER_KB", L.bufferedHighWaterBytes / 1024, 64, 1_048_576) * 1024,
    awarenessIdsPerSocket: int("AWARENESS_IDS_PER_SOCKET", L.awarenessIdsPerSocket, 1, 1000),
    upgradesBurst: int("UPGRADE_BURST", L.upgradesBurst, 1, 100_000),
    upgradesPerSecond: int("UPGRADES_PER_SECOND", L.upgradesPerSecond, 1, 100_000),
    syncStep1Burst: int("SYNC_STEP1_BURST", L.syncStep1Burst, 1, 10_000),
    syncStep1PerSecond: int("SYNC_STEP1_PER_SECOND", L.syncStep1PerSecond, 1, 100_000),
    framesBurst: int("FRAME_BURST", L.framesBurst, 1, 1_000_000),
    framesPerSecond: int("FRAMES_PER_SECOND", L.framesPerSecond, 1, 1_000_000),
    trialsBurst: int("TRIAL_BURST", L.trialsBurst, 1, 1_000_000),
    trialsPerSecond: int("TRIALS_PER_SECOND", L.trialsPerSecond, 1, 1_000_000),
    writeBurst: int("WRITE_BURST", L.writeBurst, 1, 1_000_000),
    writesPerSecond: int("WRITES_PER_SECOND", L.writesPerSecond, 1, 1_000_000),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    production,
    port,
    host,
    dataDir,
    databasePath,
    databaseUrl,
    databasePoolSize,
    redisUrl,
    redisKeyPrefix,
    clusterHeartbeatMs,
    baseUrl,
    authSecret,
    trustedOrigins,
    trustedProxies,
    seed,
    clientDist,
    sessionIdleMs,
    sessionAbsoluteMs,
    logLevel,
    relayLimits,
    metricsToken,
    pushProvider,
  };
}
