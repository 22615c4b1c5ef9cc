/**
 * Joins the relay to node's http server: `/sync/<document-name>` upgrades on the
 * same port as Hono. Refuses at the upgrade with a plain HTTP response and the
 * usual JSON error body (404 unknown path, 403 untrusted Origin, 401 no session,
 * 403 no access, 429 too many sockets for the session or user) before any WebSocket exists; then hands the socket to the relay
 * core and pings it so dead peers go away (and offline) within two intervals.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { Duplex } from "node:stream";
import {
  CLOSE_CODES,
  ERROR_MESSAGES,
  ERROR_STATUS,
  type ErrorCode,
  MAX_FRAME_BYTES,
  PING_INTERVAL_MS,
  parseDocName,
  SYNC_PATH,
} from "@messenger/shared";
import { type WebSocket, WebSocketServer } from "ws";
import type { Logger } from "./logger.js";
import type { Authorize } from "./relay/access.js";
import type { Connection, SocketLike } from "./relay/connection.js";
import { NO_RELAY_METRICS, type RelayMetrics } from "./relay/metrics.js";
import type { Access, SocketUser } from "./relay/types.js";

/** What the adapter needs from the relay core. */
export interface RelayCore {
  authorize: Authorize;
  /** Why the user may not open one more socket (an error code answered at the upgrade), or null. */
  admission(user: SocketUser): ErrorCode | null;
  open(
    socket: SocketLike,
    user: SocketUser,
    docName: string,
    opts?: { presence?: boolean; access?: Exclude<Access, null> },
  ): Promise<Connection>;
}

export interface RelayAdapterDeps {
  relay: RelayCore;
  authenticate(headers: Headers): Promise<SocketUser | null>;
  /** Browser origins allowed to open sockets (origins.ts). */
  isTrustedOrigin(origin: string): boolean;
  logger: Logger;
  pingIntervalMs?: number;
  /** Sockets open, upgrades refused, frames refused (src/metrics.ts); none by default. */
  metrics?: RelayMetrics;
}

/** ws closes with 1009 when a message exceeds maxPayload; clients expect our named code. */
const WS_MESSAGE_TOO_BIG = 1009;
/** Close codes that mean the relay refused a frame, by name (the metric's label). */
const FRAME_REFUSALS = new Map<number, string>(
  Object.entries(CLOSE_CODES)
    .filter(([name]) => name !== "GOING_AWAY" && name !== "SESSION_ENDED")
    .map(([name, code]) => [code, name]),
);

export function attachRelay(server: http.Server, deps: RelayAdapterDeps): { close(): Promise<void> } {
  const { relay, logger } = deps;
  const metrics = deps.metrics ?? NO_RELAY_METRICS;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const alive = new WeakMap<WebSocket, boolean>();

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", (err) => logger.debug("upgrade socket error", { err: String(err) }));
    upgrade(req, socket, head).catch((err) => {
      logger.error("upgrade failed", { err: String(err) });
      metrics.upgradeRefused("INTERNAL");
      writeRefusal(socket, "INTERNAL");
    });
  };

  async function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const id = requestIdOf(req);
    /** Answers the upgrade with `code`, logged (with why) and counted. */
    const refuse = (socket: Duplex, code: ErrorCode): void => {
      metrics.upgradeRefused(code);
      logger.info("socket refused", {
        id,
        code,
        status: ERROR_STATUS[code],
        path: url.pathname,
        origin: req.headers.origin,
        ip: req.socket.remoteAddress,
      });
      writeRefusal(socket, code);
    };
    const prefix = `${SYNC_PATH}/`;
    if (!url.pathname.startsWith(prefix)) return refuse(socket, "NOT_FOUND");
    const docName = url.pathname.slice(prefix.length);
    if (parseDocName(docName) === null) return refuse(socket, "NOT_FOUND");
    const origin = req.headers.origin;
    if (origin !== undefined && !deps.isTrustedOrigin(origin)) return refuse(socket, "UNTRUSTED_ORIGIN");
    const user = await deps.authenticate(toHeaders(req.headers));
    if (user === null) return refuse(socket, "UNAUTHENTICATED");
    const access = await relay.authorize(docName, user);
    if (access === null) return refuse(socket, "FORBIDDEN");
    const refused = relay.admission(user);
    if (refused !== null) return refuse(socket, refused);
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) =>
      serve(ws, user, docName, access, url.searchParams.get("presence") === "1", id),
    );
  }

  function serve(
    ws: WebSocket,
    user: SocketUser,
    docName: string,
    access: Exclude<Access, null>,
    presence: boolean,
    id: string,
  ): void {
    const close = ws.close.bind(ws);
    let counted = false;
    ws.close = (code?: number, reason?: string | Buffer) => {
      const named = code === WS_MESSAGE_TOO_BIG ? CLOSE_CODES.FRAME_TOO_LARGE : code;
      // Called again when the peer echoes the close frame: count the refusal once.
      const refusal = named === undefined ? undefined : FRAME_REFUSALS.get(named);
      if (refusal && !counted) metrics.frameRefused(refusal);
      counted = true;
      close(named, reason);
    };
    alive.set(ws, true);
    // Frames that arrive while the document loads wait here, in order, and are never dropped.
    const early: Uint8Array[] = [];
    let earlyBytes = 0;
    let conn: Connection | null = null;
    let ended = false;
    ws.on("message", (data, isBinary) => {
      const bytes = Array.isArray(data)
        ? Buffer.concat(data)
        : data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : data;
      if (conn === null) {
        earlyBytes += bytes.length;
        if (!isBinary) ws.close(CLOSE_CODES.MALFORMED_FRAME, "binary frames only");
        else if (early.length >= MAX_EARLY_FRAMES || earlyBytes > MAX_EARLY_BYTES)
          ws.close(CLOSE_CODES.TRY_AGAIN_LATER, "too many frames");
        else early.push(bytes);
        return;
      }
      if (!isBinary) return conn.close(CLOSE_CODES.MALFORMED_FRAME, "binary frames only");
      conn.receive(bytes);
    });
    ws.on("pong", () => alive.set(ws, true));
    ws.on("error", (err) => logger.debug("socket error", { doc: docName, err: String(err) }));
    ws.on("close", (code, reason) => {
      ended = true;
      if (!conn) return;
      conn.ended();
      metrics.socketClosed();
      logger.info("socket closed", { id, doc: docName, user: user.id, code, reason: reason.toString() });
    });
    relay
      .open(
        {
          send: (data) => ws.send(data),
          close: (code, reason) => ws.close(code, reason),
          get bufferedAmount() {
            return ws.bufferedAmount;
          },
          terminate: () => ws.terminate(),
        },
        user,
        docName,
        { presence, access },
      )
      .then(
        (opened) => {
          conn = opened;
          metrics.socketOpened();
          logger.info("socket open", { id, doc: docName, user: user.id });
          if (ended) {
            // Closed while the document loaded.
            opened.ended();
            metrics.socketClosed();
            return;
          }
          for (const frame of early.splice(0)) opened.receive(frame);
        },
        (err) => {
          logger.warn("could not open connection", { doc: docName, err: String(err) });
          ws.close(CLOSE_CODES.TRY_AGAIN_LATER, "try again later");
        },
      );
  }

  // A socket that missed one pong is dead: terminate it, so its user goes offline.
  const ping = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      try {
        ws.ping();
      } catch {
        ws.terminate(); // not open any more
      }
    }
  }, deps.pingIntervalMs ?? PING_INTERVAL_MS);
  ping.unref();

  server.on("upgrade", onUpgrade);
  return {
    async close() {
      clearInterval(ping);
      server.off("upgrade", onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

/** The upgrade's X-Request-Id when it is a sane one (as Hono's requestId accepts), else a new id. */
function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && given.length <= 255 && !/[^\w\-=]/.test(given) ? given : randomUUID();
}

/**
 * What a socket may send before its document has loaded (y-websocket sends two or three
 * frames; an outbox replaying offline writes, more). The relay's frame budget applies to
 * them once the document is there.
 */
const MAX_EARLY_FRAMES = 1024;
const MAX_EARLY_BYTES = 2 * 1024 * 1024;

/** Answers the upgrade request with a plain HTTP error and closes the socket. */
function writeRefusal(socket: Duplex, code: ErrorCode): void {
  if (socket.destroyed) return;
  const status = ERROR_STATUS[code];
  const body = JSON.stringify({ error: { code, message: ERROR_MESSAGES[code] } });
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
