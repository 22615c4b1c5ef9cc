/**
 * Yjs-to-Solid glue: opens documents (y-indexeddb first, then the y-websocket relay),
 * exposes their state as Solid signals, tracks pending writes, reads presence frames on
 * the inbox socket, and reacts to close codes. Documents are reference-counted, so a tab
 * holds sockets only for the inbox and the open conversation's segments.
 */
import { CLOSE_CODES, MESSAGE_AWARENESS, MESSAGE_PRESENCE, MESSAGE_SYNC, SYNC_PATH } from "@messenger/shared";
import * as bc from "lib0/broadcastchannel";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { type Accessor, createSignal, type Setter } from "solid-js";
import { IndexeddbPersistence } from "y-indexeddb";
import { encodeAwarenessUpdate } from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { jitteredBackoff, MAX_BACKOFF_MS } from "./backoff.js";
import { type KeyValueStore, readJson, recordOpenedDoc, userKey, writeJson } from "./local-data.js";
import { createPendingTracker } from "./pending.js";
import { applyPresenceFrame, type PresenceMap, parsePresenceFrame } from "./presence.js";

/** Connect to the relay after local data loaded, or after this long if IndexedDB is slow or missing. */
const LOCAL_LOAD_TIMEOUT_MS = 1500;

export type ConnectionState = "online" | "offline" | "reconnecting";

export interface DocHandle {
  readonly name: string;
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  /** Local (IndexedDB) content has been applied. */
  readonly loaded: Accessor<boolean>;
  /** Synced with the relay on the current connection. */
  readonly synced: Accessor<boolean>;
  readonly connected: Accessor<boolean>;
  /** Ids written here that the relay has not surely received yet. */
  readonly pending: Accessor<ReadonlySet<string>>;
  /** Call after writing a message with this id to the document. */
  markWritten(id: string): void;
}

export interface SyncOptions {
  userId: string;
  /** The relay closed a socket with SESSION_ENDED. */
  onSessionEnded: () => void;
  /** A socket could not even open (maybe refused at the upgrade): verify the session over HTTP. */
  onRefused: () => void;
  /**
   * The relay refused a write to this document (WRITE_REJECTED). The local copy holds
   * something the server will never take, and resending it would loop, so the document
   * stops syncing and its local copy is dropped; it reopens clean from the server.
   */
  onWriteRejected?: (name: string) => void;
  store?: KeyValueStore;
  serverUrl?: string;
}

export function syncServerUrl(loc: Location = location): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${SYNC_PATH}`;
}

export type Sync = ReturnType<typeof createSync>;

export function createSync(options: SyncOptions) {
  const store = options.store ?? localStorage;
  const serverUrl = options.serverUrl ?? syncServerUrl();
  const open = new Map<string, { handle: DocHandle; refs: number; destroy: () => void }>();
  const [presence, setPresence] = createSignal<PresenceMap>(new Map());
  const [online, setOnline] = createSignal(typeof navigator === "undefined" ? true : navigator.onLine);
  const [inboxConnected, setInboxConnected] = createSignal(false);
  let inboxName: string | null = null;
  let ended = false;
  let destroyed = false;

  const onOnline = () => {
    setOnline(true);
    // Skip the remaining backoff: try every socket now.
    for (const { handle } of open.values()) if (!handle.provider.wsconnected) handle.provider.connect();
  };
  const onOffline = () => setOnline(false);
  window.addEventListener("online", onOnline);
  window.addEventListener("offline", onOffline);

  function createHandle(name: string, withPresence: boolean) {
    const doc = new Y.Doc();
    const persistence = new IndexeddbPersistence(name, doc);
    recordOpenedDoc(store, options.userId, name);
    const provider = new WebsocketProvider(serverUrl, name, doc, {
      connect: false,
      params: withPresence ? { presence: "1" } : {},
      maxBackoffTime: MAX_BACKOFF_MS,
    });
    const [loaded, setLoaded] = createSignal(false);
    const [synced, setSynced] = createSignal(false);
    const [connected, setConnected] = createSignal(false);
    const pendingKey = userKey(options.userId, `pending:${name}`);
    const tracker = createPendingTracker(readJson<string[]>(store, pendingKey) ?? []);
    const [pending, setPending] = createSignal<ReadonlySet<string>>(new Set(tracker.ids()));
    const publishPending = () => {
      const ids = tracker.ids();
      setPending(new Set(ids));
      if (ids.length) writeJson(store, pendingKey, ids);
      else store.removeItem(pendingKey);
    };
    let opened = false;

    const flush = () => {
      const ws = provider.ws;
      if (!provider.wsconnected || !ws || ws.readyState !== WebSocket.OPEN) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeSyncStep1(encoder, doc);
      ws.send(encoding.toUint8Array(encoder));
      tracker.flushed();
    };

    const baseSync = provider.messageHandlers[MESSAGE_SYNC];
    provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, p, emitSynced, type) => {
      const syncType = decoding.peekVarUint(decoder);
      baseSync?.(encoder, decoder, p, emitSynced, type);
      if (!emitSynced) return; // from another tab over BroadcastChannel, not the relay
      if (syncType === syncProtocol.messageYjsSyncStep1) {
        // Our step 2 reply (carrying offline writes) is sent when this handler returns.
        if (tracker.repliedToServer()) queueMicrotask(flush);
      } else if (syncType === syncProtocol.messageYjsSyncStep2) {
        if (tracker.answered().length) publishPending();
      }
    };
    // y-websocket re-broadcasts every awareness change, other users' included; the relay
    // treats such an echo as speaking for someone else and closes the socket (4403).
    // Publish only our own state.
    const awareness = provider.awareness;
    awareness.off("update", provider._awarenessUpdateHandler);
    const publishOwnAwareness = (
      { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
      origin: unknown,
    ) => {
      if (origin === provider) return;
      if (![...added, ...updated, ...removed].includes(doc.clientID)) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(awareness, [doc.clientID]));
      const frame = encoding.toUint8Array(encoder);
      const ws = provider.ws;
      if (provider.wsconnected && ws && ws.readyState === WebSocket.OPEN) ws.send(frame);
      if (provider.bcconnected) bc.publish(provider.bcChannel, frame, provider);
    };
    awareness.on("update", publishOwnAwareness);

    if (withPresence) {
      provider.messageHandlers[MESSAGE_PRESENCE] = (_encoder, decoder) => {
        const frame = parsePresenceFrame(decoding.readVarString(decoder));
        if (frame) setPresence((p) => applyPresenceFrame(p, frame));
      };
    }

    provider.on("status", ({ status }) => {
      const isConnected = status === "connected";
      setConnected(isConnected);
      if (withPresence) setInboxConnected(isConnected);
      if (isConnected) {
        opened = true;
        tracker.opened();
      }
    });
    provider.on("sync", (state: boolean) => setSynced(state));
    provider.on("connection-close", (event) => {
      tracker.closed();
      setSynced(false);
      if (event?.code === CLOSE_CODES.SESSION_ENDED) {
        endSession();
        return;
      }
      if (event?.code === CLOSE_CODES.WRITE_REJECTED) {
        provider.disconnect();
        void persistence.clearData();
        options.onWriteRejected?.(name);
        return;
      }
      // Spread reconnects: y-websocket reads maxBackoffTime right after this event.
      provider.maxBackoffTime = jitteredBackoff(provider.wsUnsuccessfulReconnects + 1);
      if (event && !opened && online()) options.onRefused();
      opened = false;
    });

    let connectTimer: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      clearTimeout(connectTimer);
      if (!ended && !provider.shouldConnect) provider.connect();
    };
    connectTimer = setTimeout(connect, LOCAL_LOAD_TIMEOUT_MS);
    persistence.whenSynced.then(() => {
      setLoaded(true);
      connect();
    });

    const handle: DocHandle = {
      name,
      doc,
      provider,
      loaded,
      synced,
      connected,
      pending,
      markWritten(id) {
        if (tracker.written(id)) queueMicrotask(flush);
        publishPending();
      },
    };
    const destroy = () => {
      clearTimeout(connectTimer);
      awareness.off("update", publishOwnAwareness);
      provider.destroy();
      void persistence.destroy();
      doc.destroy();
    };
    return { handle, destroy };
  }

  function endSession() {
    if (ended) return;
    ended = true;
    for (const entry of open.values()) entry.handle.provider.disconnect();
    options.onSessionEnded();
  }

  return {
    presence,
    /** The one indicator: the inbox socket stands for the relay. */
    connection: (): ConnectionState => (!online() ? "offline" : inboxConnected() ? "online" : "reconnecting"),
    acquire(name: string, opts: { presence?: boolean } = {}): DocHandle {
      let entry = open.get(name);
      if (!entry) {
        entry = { ...createHandle(name, opts.presence === true), refs: 0 };
        open.set(name, entry);
        if (opts.presence) inboxName = name;
      }
      entry.refs++;
      return entry.handle;
    },
    release(name: string) {
      const entry = open.get(name);
      if (!entry || --entry.refs > 0) return;
      open.delete(name);
      entry.destroy();
      if (name === inboxName) setInboxConnected(false);
    },
    /** Sockets currently open or opening (for diagnostics and tests). */
    openDocuments: () => Array.from(open.keys()),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      ended = true;
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
      for (const entry of open.values()) entry.destroy();
      open.clear();
    },
  };
}

interface Observable {
  observe(f: () => void): void;
  unobserve(f: () => void): void;
}

/** A signal that changes whenever a Y type changes, for use in memos (values are plain records). */
export function observeType(type: Observable, onCleanup: (fn: () => void) => void): Accessor<number> {
  const [version, setVersion]: [Accessor<number>, Setter<number>] = createSignal(0);
  const handler = () => setVersion((v) => v + 1);
  type.observe(handler);
  onCleanup(() => type.unobserve(handler));
  return version;
}
