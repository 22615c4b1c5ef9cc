/**
 * The relay: y-websocket-compatible sync for `/sync/<document-name>`, with the
 * server enforcing who may write what. Exported API:
 *
 *   createRelay(options: RelayOptions): Relay
 *     options: { db, repo, clock?, logger?, authenticate?, authorize?, sessions?,
 *                presence?, isTrustedOrigin?, roomIdleUnloadMs?, compactAfterUpdates?,
 *                sessionSweepMs?, pingIntervalMs?, metrics? }
 *   relay.attach(server)            serve /sync/<doc> upgrades on a node http server (needs authenticate)
 *   relay.postMessage(convId, authorId, { id, text, createdAt? })
 *                                   → { record, segment, created }  (MessageWriter; idempotent on id;
 *                                     resolves once durable; fans out live like a socket write;
 *                                     throws AppError NOT_FOUND / FORBIDDEN / CONFLICT / VALIDATION_FAILED)
 *   relay.writeMessages(convId, [{ id, author, text, createdAt }])
 *                                   → { written, skipped }  bulk append for seeds, oldest first,
 *                                     rolling segments every SEGMENT_MESSAGES
 *   relay.publishConversation(summary)  put a new/changed conversation into its members' inboxes
 *   relay.presence                  { isOnline, lastSeenAt, onlineUserIds, subscribe, … }
 *   relay.open(socket, user, docName, { presence? })  transport-independent core (tests, other transports)
 *   relay.authorize(docName, user)  "write" | "read" | null
 *   relay.settled()                 resolves when everything applied so far is committed and sent
 *   relay.close()                   commit, close sockets with GOING_AWAY, compact, unload
 *
 *   createAccess(repo)              the authorization rule (relay/access.ts)
 *   createPresence(db, clock)       presence/ (pass the same one to the REST users route)
 *   attachRelay(server, deps)       src/ws-adapter.ts, if you compose by hand
 */
export { type Authorize, createAccess } from "./access.js";
export { Connection, type SocketLike } from "./connection.js";
export type { BulkMessage, BulkMessageWriter } from "./message-writer.js";
export { NO_RELAY_METRICS, type RelayMetrics } from "./metrics.js";
export {
  COMPACT_AFTER_UPDATES,
  createRelay,
  type Relay,
  type RelayOptions,
  ROOM_IDLE_UNLOAD_MS,
  SESSION_SWEEP_MS,
} from "./relay.js";
export type { Access, MessageWriter, SessionLiveness, SocketUser } from "./types.js";
export { type ValidationContext, type Verdict, validateUpdate } from "./validate-update.js";
