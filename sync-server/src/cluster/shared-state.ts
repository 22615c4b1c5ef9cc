/**
 * What the processes of one deployment share besides documents: who is online (and how many
 * sockets each user has open), ended sessions and changed accounts, the per-user write
 * budget, the per-account sign-in throttle and better-auth's rate limits. One place picks
 * the implementation of each seam: in this process's memory without REDIS_URL, exactly as
 * a single process always worked, or in Redis with it.
 */
import type { AuthService } from "../auth/index.js";
import type { LoginThrottle } from "../auth/login-throttle.js";
import { createRedisLoginThrottle } from "../auth/redis-login-throttle.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import { createRedisRegistry } from "../presence/redis-registry.js";
import { createLocalRegistry, type PresenceRegistry } from "../presence/registry.js";
import type { Store } from "../store/types.js";
import { createWriteBudget, type WriteBudget } from "../write-budget.js";
import { shareAuthEvents } from "./auth-events.js";
import { type AuthRateLimitStorage, createRedisAuthRateLimitStorage } from "./auth-rate-limit.js";
import type { ClusterBus } from "./bus.js";
import type { RedisLink } from "./redis.js";
import { createSharedWriteBudget } from "./shared-write-budget.js";

export interface SharedState {
  registry: PresenceRegistry;
  writeBudget: WriteBudget;
  /** Undefined: auth keeps its own in memory. */
  throttle?: LoginThrottle;
  rateLimitStorage?: AuthRateLimitStorage;
  /** Passes auth's ended sessions and changed accounts between processes; returns a stop. */
  shareAuth(auth: Pick<AuthService, "cluster">): () => void;
  close(): void;
}

export interface SharedStateOptions {
  redis: RedisLink | null;
  bus: ClusterBus;
  store: Pick<Store, "presence">;
  clock: Clock;
  logger: Logger;
  writeBudget: { burst: number; perSecond: number };
  heartbeatMs?: number;
}

export async function createSharedState(options: SharedStateOptions): Promise<SharedState> {
  const { redis, bus, store, clock, logger } = options;
  if (!redis)
    return {
      registry: createLocalRegistry(),
      writeBudget: createWriteBudget(options.writeBudget),
      shareAuth: () => () => {},
      close() {},
    };
  const writeBudget = createSharedWriteBudget({ link: redis, bus, logger, ...options.writeBudget });
  const registry = await createRedisRegistry({
    link: redis,
    bus,
    logger,
    heartbeatMs: options.heartbeatMs,
    recordLastSeen: (userId, at) =>
      void store.presence
        .setLastSeen(userId, at)
        .catch((err) => logger.error("could not record last seen", { user: userId, err: String(err) })),
  });
  return {
    registry,
    writeBudget,
    throttle: createRedisLoginThrottle(redis, { clock, logger }),
    rateLimitStorage: createRedisAuthRateLimitStorage(redis),
    shareAuth: (auth) => shareAuthEvents(bus, auth),
    close: () => writeBudget.close(),
  };
}
