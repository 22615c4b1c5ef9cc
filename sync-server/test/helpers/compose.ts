/**
 * The server as the headless sync tests run it. `startServer` (src/main.ts) is the
 * default; a test that needs relay tunables main.ts does not expose yet (a short ping
 * interval) gets this same composition with them applied.
 * TODO(lead): accept `relay?: RelayTunables` in StartOptions, then delete startComposed.
 */
import http from "node:http";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "../../src/app.js";
import { createAuth } from "../../src/auth/auth.js";
import type { Clock } from "../../src/clock.js";
import type { Config } from "../../src/config.js";
import { createConversationRepo } from "../../src/conversations/conversation-repo.js";
import { openDatabase } from "../../src/db/database.js";
import { createLogger } from "../../src/logger.js";
import { createPresence } from "../../src/presence/index.js";
import { startServer } from "../../src/main.js";
import { createRelay, type RelayOptions } from "../../src/relay/index.js";

export type RelayTunables = Pick<
  RelayOptions,
  "roomIdleUnloadMs" | "compactAfterUpdates" | "sessionSweepMs" | "pingIntervalMs"
>;

export async function startForTest(config: Config, options: { clock?: Clock; relay?: RelayTunables } = {}) {
  if (!options.relay) {
    const running = await startServer(config, { clock: options.clock });
    const { db, auth, repo, relay } = running.services;
    return { port: running.port, server: running.server, services: { db, auth, repo, relay, presence: relay.presence }, close: running.close };
  }
  return startComposed(config, { ...options, relay: options.relay });
}

async function startComposed(config: Config, options: { clock?: Clock; relay: RelayTunables }) {
  const clock = options.clock ?? (() => Date.now());
  const logger = createLogger(config.logLevel);
  const db = openDatabase(config.databasePath);
  const auth = createAuth({ config, db, clock, logger });
  await auth.migrate();
  const repo = createConversationRepo(db, clock);
  const presence = createPresence(db, clock);
  const relay = createRelay({
    db,
    repo,
    clock,
    logger,
    presence,
    authenticate: auth.authenticate,
    sessions: auth.liveness,
    trustedOrigins: config.trustedOrigins,
    ...options.relay,
  });
  const app = createApp({
    config,
    db,
    auth,
    repo,
    presence,
    messageWriter: relay,
    publishConversation: relay.publishConversation,
    clock,
    logger,
  });
  const server = http.createServer(getRequestListener(app.fetch));
  relay.attach(server);
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    server,
    services: { db, auth, repo, relay, presence },
    async close() {
      await relay.close();
      presence.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}
