/**
 * Peer (c) clustered: a Hocuspocus 3.4.x server with `@hocuspocus/extension-redis` 3.4.4 and
 * nothing else (memory only, no auth, no store hook), one of several instances on one Redis.
 * Every instance with a document loaded subscribes to its channel; a change is announced
 * as a sync step 1 and the others answer, so each copy converges (their design: no
 * authoritative copy). PEER_REDIS_URL (default redis://127.0.0.1:6379) and
 * PEER_REDIS_PREFIX (their channel and lock-key namespace) place it; PEER_PORT as in
 * hocuspocus-server.ts. Prints {"listening":port} when ready.
 */
import { Redis } from "@hocuspocus/extension-redis";
import { Server } from "@hocuspocus/server";

const redis = new URL(process.env.PEER_REDIS_URL || "redis://127.0.0.1:6379");
const server = new Server({
  port: Number(process.env.PEER_PORT ?? 0),
  address: "127.0.0.1",
  quiet: true,
  stopOnSignals: false,
  extensions: [
    new Redis({
      host: redis.hostname,
      port: Number(redis.port || 6379),
      options: {
        username: decodeURIComponent(redis.username) || undefined,
        password: decodeURIComponent(redis.password) || undefined,
        db: Number(redis.pathname.slice(1) || 0),
      },
      prefix: process.env.PEER_REDIS_PREFIX || "hocuspocus",
    }),
  ],
});
await server.listen();
console.log(JSON.stringify({ listening: server.address.port }));
process.on("SIGTERM", () => {
  void server.destroy().finally(() => process.exit(0));
});
