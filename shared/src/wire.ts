/**
 * Socket constants shared by the relay and the client.
 *
 * The relay speaks the y-websocket protocol (y-protocols): message type 0 is sync
 * (step 1, step 2, update), 1 is awareness, 3 is query-awareness. We add one
 * server-to-client type, MESSAGE_PRESENCE, sent only on inbox sockets that asked
 * for it with `?presence=1`, so a stock client that did not ask never sees it.
 */
import type { UserSummary } from "./api.js";

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;
/** varuint 100, then a JSON string: PresenceFrame (presence, and the live directory in `users`). */
export const MESSAGE_PRESENCE = 100;

export const SYNC_PATH = "/sync";
/** Largest frame the relay reads; bigger frames close the socket with CLOSE_FRAME_TOO_LARGE. */
export const MAX_FRAME_BYTES = 512 * 1024;
/** Largest awareness state (JSON) a client may publish. */
export const MAX_AWARENESS_STATE_BYTES = 1024;

/** Close codes (4000–4999 are free for applications). Shared so the client can react. */
export const CLOSE_CODES = {
  /** The frame could not be decoded (random bytes, truncated, V2 update, unknown type). */
  MALFORMED_FRAME: 4400,
  /** The session expired, was revoked or signed out. Do not reconnect: sign in again. */
  SESSION_ENDED: 4401,
  /** The update broke the document rules (author, ownership, schema). */
  WRITE_REJECTED: 4403,
  /**
   * The user is no longer a member of the conversation (removed from the group, or left).
   * Do not reconnect: the local copy stays, read-only.
   */
  NOT_A_MEMBER: 4404,
  /** The socket broke a protocol limit no honest client reaches (awareness ids). Do not reconnect. */
  POLICY_VIOLATION: 4408,
  /** The frame exceeded MAX_FRAME_BYTES. */
  FRAME_TOO_LARGE: 4413,
  /**
   * Old servers closed floods with this; current ones use TRY_AGAIN_LATER, because stock
   * y-websocket never reconnects after 4400–4499. Clients treat it as retryable.
   */
  RATE_LIMITED: 4429,
  /** The server is shutting down; reconnect later. */
  GOING_AWAY: 1001,
  /**
   * RFC 6455 "Try Again Later": a retryable condition (rate limit, overload, a socket that
   * does not read). Outside 4400–4499, which stock y-websocket treats as final.
   */
  TRY_AGAIN_LATER: 1013,
} as const;
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** Presence frame sent on inbox sockets: a full snapshot first, then coalesced changes. */
export interface PresenceFrame {
  full: boolean;
  /** Users now online. */
  online: string[];
  /** Users now offline, with their last-seen time (ms since epoch). */
  offline: Array<[userId: string, lastSeenAt: number]>;
  /**
   * The live directory: accounts created or changed (name, username) since the last flush,
   * as `GET /api/users` lists them. Absent when there are none; never in the snapshot.
   */
  users?: UserSummary[];
}

/** How often the server flushes coalesced presence changes. */
export const PRESENCE_FLUSH_MS = 500;
/** Ping interval; a socket that missed one pong is dead. Detection takes at most 2 intervals. */
export const PING_INTERVAL_MS = 15_000;
