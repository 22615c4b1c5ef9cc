/**
 * The two client stacks the relay bench drives in Node: the stock y-websocket
 * WebsocketProvider (for our server and @y/websocket-server) and the Hocuspocus
 * provider (Hocuspocus speaks its own framing: a document name before every message).
 * Both get `ws` with optional headers and a byte counter.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import type * as Y from "yjs";
import { withTimeout } from "../lib/wait.js";

export interface ByteCounter {
  received: number;
}

export interface ClientConnection {
  /** Resolves when the first sync with the server completed. */
  readonly synced: Promise<void>;
  destroy(): void;
}

export type ClientKind = "y-websocket" | "hocuspocus";

export type WebSocketClass = new (url: string | URL, protocols?: string | string[]) => WebSocket;

/** A `ws` WebSocket class that adds request headers and counts the payload bytes it receives. */
export function webSocketClass(headers: Record<string, string>, bytes?: ByteCounter): WebSocketClass {
  return class BenchWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
      if (bytes) {
        this.on("message", (data: WebSocket.RawData) => {
          bytes.received += Array.isArray(data)
            ? data.reduce((n, b) => n + b.byteLength, 0)
            : (data as ArrayBuffer | Buffer).byteLength;
        });
      }
    }
  };
}

export interface ConnectOptions {
  kind: ClientKind;
  /** ws://host:port[/prefix]; the provider appends `/<room>` (y-websocket) or sends the name (Hocuspocus). */
  url: string;
  room: string;
  doc: Y.Doc;
  headers?: Record<string, string>;
  bytes?: ByteCounter;
  syncTimeoutMs?: number;
  /** Called with the close code each time the server (or the network) closes the socket; the provider reconnects. */
  onClose?: (code: number) => void;
}

export function connect(opts: ConnectOptions): ClientConnection {
  const WebSocketPolyfill = webSocketClass(opts.headers ?? {}, opts.bytes);
  const timeout = opts.syncTimeoutMs ?? 20_000;
  if (opts.kind === "y-websocket") {
    // disableBc: two providers of one room in one process would otherwise talk over
    // BroadcastChannel and bypass the server entirely.
    const provider = new WebsocketProvider(opts.url, opts.room, opts.doc, {
      // y-websocket types the polyfill as the DOM WebSocket constructor; ws is API-compatible.
      WebSocketPolyfill: WebSocketPolyfill as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    });
    const synced = new Promise<void>((resolve) => {
      if (provider.synced) resolve();
      const onSync = (isSynced: boolean) => {
        if (!isSynced) return;
        provider.off("sync", onSync);
        resolve();
      };
      provider.on("sync", onSync);
    });
    // event is null when the provider closed the socket itself (destroy, its own watchdog).
    provider.on("connection-close", (event) => {
      if (event) opts.onClose?.(event.code);
    });
    return {
      synced: withTimeout(synced, timeout, `y-websocket sync of ${opts.room}`),
      destroy: () => provider.destroy(),
    };
  }
  // One socket per document, like the y-websocket side: a socket provider we own, attached by hand.
  const socket = new HocuspocusProviderWebsocket({ url: opts.url, WebSocketPolyfill });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: opts.room, document: opts.doc });
  provider.attach();
  provider.on("close", ({ event }: { event: CloseEvent }) => opts.onClose?.(event.code));
  const synced = new Promise<void>((resolve) => {
    if (provider.isSynced) resolve();
    provider.on("synced", () => resolve());
  });
  return {
    synced: withTimeout(synced, timeout, `hocuspocus sync of ${opts.room}`),
    destroy: () => {
      provider.destroy();
      socket.destroy();
    },
  };
}
