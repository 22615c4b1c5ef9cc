/**
 * Abusive sockets: plain `ws` clients that speak just enough y-websocket to hurt, and
 * record what the server does about it. Nothing here assumes a limit or a close code:
 * a refused upgrade (any HTTP status) is an outcome, and so is every close code.
 *
 *   client → server  sync step 1 with an empty state vector  (the server answers with
 *                    the whole document as sync step 2)
 *   client → server  sync update: one new message, own Y.Doc (a valid write)
 */
import { addMessage, MESSAGE_SYNC, newMessageId } from "@messenger/shared";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";

export interface AbusiveSocket {
  readonly ws: WebSocket;
  /** Payload bytes received so far. */
  bytesReceived: number;
  /** The close code once the socket closed (1006: the connection dropped without a close frame). */
  closeCode: number | null;
  /** "<code> <reason>" once closed, e.g. "1013 not reading". */
  closedWith: string | null;
  readonly closed: Promise<number>;
}

export type OpenOutcome = { socket: AbusiveSocket } | { refused: string };

/**
 * Opens one socket with `headers` on the upgrade. Resolves on open, or with `refused`:
 * "HTTP <status>" when the server answered the upgrade with a plain response, "no upgrade
 * answer" when it did not answer within `timeoutMs`, otherwise the error. Never rejects.
 */
export function openSocket(url: string, headers: Record<string, string>, timeoutMs: number): Promise<OpenOutcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false, handshakeTimeout: timeoutMs });
    let settled = false;
    const settle = (outcome: OpenOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    let resolveClosed: (code: number) => void = () => {};
    const socket: AbusiveSocket = {
      ws,
      bytesReceived: 0,
      closeCode: null,
      closedWith: null,
      closed: new Promise<number>((r) => {
        resolveClosed = r;
      }),
    };
    // With a listener here ws does not raise "Unexpected server response"; the request must be ended by hand.
    ws.on("unexpected-response", (req, res) => {
      settle({ refused: `HTTP ${res.statusCode}` });
      res.resume();
      req.destroy();
    });
    ws.on("error", (err) => {
      const timedOut = /handshake has timed out/.test(err.message);
      settle({
        refused: timedOut ? "no upgrade answer" : `error ${(err as NodeJS.ErrnoException).code ?? err.message}`,
      });
    });
    ws.on("open", () => settle({ socket }));
    ws.on("message", (data: WebSocket.RawData) => {
      socket.bytesReceived += rawLength(data);
    });
    ws.on("close", (code, reason) => {
      socket.closeCode = code;
      socket.closedWith = `${code} ${reason.toString("utf8")}`.trim();
      resolveClosed(code);
      settle({ refused: `closed ${code} before open` });
    });
  });
}

function rawLength(data: WebSocket.RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
}

/** Sync step 1 with an empty state vector: "send me everything". */
export function emptySyncStep1Frame(): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(e, new Y.Doc());
  return encoding.toUint8Array(e);
}

/**
 * A writer of valid message updates as `author`, from its own Y.Doc (so its own Yjs
 * client id, claimed by the server on the first write). Each call adds one message
 * and returns the sync-update frame carrying exactly that change.
 */
export function messageUpdateFrames(author: string): () => Uint8Array {
  const doc = new Y.Doc();
  let last: Uint8Array | null = null;
  doc.on("update", (update: Uint8Array) => {
    last = update;
  });
  let n = 0;
  return () => {
    last = null;
    addMessage(doc, { id: newMessageId(), author, text: `flood ${n++}`, createdAt: Date.now() });
    if (!last) throw new Error("addMessage produced no update");
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, MESSAGE_SYNC);
    syncProtocol.writeUpdate(e, last);
    return encoding.toUint8Array(e);
  };
}

/** "4429 x3, 1006 x1" from a list of codes or outcomes; "–" when empty. */
export function tally(items: ReadonlyArray<string | number>): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(String(item), (counts.get(String(item)) ?? 0) + 1);
  return counts.size === 0
    ? "–"
    : [...counts]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} x${n}`)
        .join(", ");
}
