/**
 * Yjs-to-Solid glue: opens documents (y-indexeddb first, then the y-websocket relay),
 * exposes their state as Solid signals, tracks pending writes, reads presence frames on
 * the inbox socket, and reacts to close codes. Documents are reference-counted, so a tab
 * holds sockets only for the inbox and the open conversation's segments.
 */
import { MESSAGE_AWARENESS, MESSAGE_PRESENCE, MESSAGE_SYNC, SYNC_PATH } from "@messenger/shared";
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
import { closeAction, reconnectDelay, type StopReason } from "./close-policy.js";
import { type KeyValueStore, readJson, recordOpenedDoc, userKey, writeJson } from "./local-data.js";
import { createPendingTracker } from "./pending.js";
import { applyPresenceFrame, type PresenceMap, parsePresenceFrame } from "./presence.js";

/** Connect to the relay after local data loaded, or after this long if IndexedDB is slow or missing. */
const LOCAL_LOAD_TIMEOUT_MS = 1500;

export type ConnectionState = "online" | "offline" | "connecting" | "reconnecting";

const PENDING_PREFIX = "pending:";

/** The ids of a document that the relay has not surely received, as the last tab to track them left them. */
export function pendingIds(store: KeyValueStore, userId: string, docName: string): string[] {
  const ids = readJson<unknown>(store, userKey(userId, `${PENDING_PREFIX}${docName}`));
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
}

/** Documents with writes this browser made that no tab has seen confirmed (any tab, any session). */
export function pendingDocs(store: KeyValueStore, userId: string): string[] {
  const prefix = userKey(userId, PENDING_PREFIX);
  const names: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (!key?.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (pendingIds(store, userId, name).length > 0) names.push(name);
  }
  return names;
}

export interface DocHandle {
  readonly name: string;
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  /** Local (IndexedDB) content has been applied. */
  readonly loaded: Accessor<boolean>;
  /** Synced with the relay on the current connection. */
  readonly synced: Accessor<boolean>;
  readonly connected: Accessor<boolean>;
  /** Set when the relay closed this document's socket for good; it no longer syncs. */
  readonly failure: Accessor<StopReason | null>;
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
   * The relay closed this document's socket for good (docs/protocol.md § Close codes). After a
   * refused write (WRITE_REJECTED) the local copy holds something the server will never take,
   * and resending it would loop, so its local copy is dropped too; it reopens clean from the server.
   */
  onStopped?: (name: string, reason: StopReason) => void;
  /** The relay confirmed these message ids of this document (see pending.ts). */
  onDelivered?: (name: string, ids: string[]) => void;
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
  const open = new Map<
    string,
    {
      handle: DocHandle;
      refs: number;
      destroy: () => void;
      connect: () => void;
      everConnected: Accessor<boolean>;
      localOnly: boolean;
    }
  >();
  const [presence, setPresence] = createSignal<PresenceMap>(new Map());
  const [online, setOnline] = createSignal(typeof navigator === "undefined" ? true : navigator.onLine);
  /** Bumped when a document is acquired or released, so `connection` sees the set change. */
  const [openVersion, setOpenVersion] = createSignal(0);
  let ended = false;
  let destroyed = false;

  const onOnline = () => {
    setOnline(true);
    // Skip the remaining backoff: try every socket now.
    for (const entry of open.values()) entry.connect();
  };
  const onOffline = () => setOnline(false);
  window.addEventListener("online", onOnline);
  window.addEventListener("offline", onOffline);

  function createHandle(name: string, withPresence: boolean, localOnly: boolean) {
    const doc = new Y.Doc();
    const persistence = new IndexeddbPersistence(name, doc);
    recordOpenedDoc(store, options.userId, name);
    const provider = new WebsocketProvider(serverUrl, name, doc, {
      connect: false,
      params: withPresence ? { presence: "1" } : {},
      maxBackoffTime: MAX_BACKOFF_MS,
      // Every close from the server is decided by close-policy.ts in "connection-close" below.
      shouldReconnect: () => false,
    });
    const [loaded, setLoaded] = createSignal(false);
    const [synced, setSynced] = createSignal(false);
    const [connected, setConnected] = createSignal(false);
    const [failure, setFailure] = createSignal<StopReason | null>(null);
    const pendingKey = userKey(options.userId, `${PENDING_PREFIX}${name}`);
    const tracker = createPendingTracker(pendingIds(store, options.userId, name));
    const [pending, setPending] = createSignal<ReadonlySet<string>>(new Set(tracker.ids()));
    const publishPending = () => {
      const ids = tracker.ids();
      setPending(new Set(ids));
      if (ids.length) writeJson(store, pendingKey, ids);
      else store.removeItem(pendingKey);
    };
    let opened = false;
    const [everConnected, setEverConnected] = createSignal(false);

    /** A flush waits for the answer to the request in flight (see pending.ts: one at a time). */
    let flushWanted = false;
    const flush = () => {
      const ws = provider.ws;
      if (!provider.wsconnected || !ws || ws.readyState !== WebSocket.OPEN) return;
      flushWanted = tracker.outstanding();
      if (flushWanted) return;
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
        const delivered = tracker.answered();
        if (delivered.length) {
          publishPending();
          options.onDelivered?.(name, delivered);
        }
        if (flushWanted) queueMicrotask(flush);
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
      if (isConnected) setEverConnected(true);
      if (isConnected) {
        opened = true;
        tracker.opened();
      }
    });
    provider.on("sync", (state: boolean) => setSynced(state));
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    provider.on("connection-close", (event) => {
      tracker.closed();
      flushWanted = false;
      setSynced(false);
      const wasOpened = opened;
      opened = false;
      // y-websocket counts this close right after the event; the count resets once a connection syncs.
      const failures = provider.wsUnsuccessfulReconnects + 1;
      if (!event) {
        // Closed on our side (disconnect, or y-websocket's silence watchdog): it reconnects
        // by itself while shouldConnect holds; spread those reconnects too.
        provider.maxBackoffTime = jitteredBackoff(failures);
        return;
      }
      const action = closeAction(event.code);
      if (action.kind === "end-session") return endSession();
      if (action.kind === "stop") return stop(action.reason);
      if (!wasOpened && online()) options.onRefused();
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, reconnectDelay(action.later, failures));
    });

    function stop(reason: StopReason) {
      provider.disconnect();
      setFailure(reason);
      if (reason === "write-rejected") {
        // The clocks stay on screen (nothing here is confirmed); the next start must not resend this copy.
        void persistence.clearData();
        store.removeItem(pendingKey);
      }
      options.onStopped?.(name, reason);
    }

    let connectTimer: ReturnType<typeof setTimeout> | undefined;
    function connect() {
      clearTimeout(connectTimer);
      clearTimeout(retryTimer);
      if (!ended && !destroyed && !localOnly && failure() === null && !provider.wsconnected && !provider.wsconnecting)
        provider.connect();
    }
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
      failure,
      pending,
      markWritten(id) {
        if (tracker.written(id)) queueMicrotask(flush);
        publishPending();
      },
    };
    const destroy = () => {
      clearTimeout(connectTimer);
      clearTimeout(retryTimer);
      awareness.off("update", publishOwnAwareness);
      provider.destroy();
      void persistence.destroy();
      doc.destroy();
    };
    return { handle, destroy, connect, everConnected, localOnly };
  }

  function endSession() {
    if (ended) return;
    ended = true;
    for (const entry of open.values()) entry.handle.provider.disconnect();
    options.onSessionEnded();
  }

  return {
    presence,
    /**
     * The one indicator: online only while every open document's socket is up (one that
     * stopped for good is shown by its conversation instead).
     */
    connection: (): ConnectionState => {
      openVersion();
      if (!online()) return "offline";
      let state: ConnectionState = "online";
      for (const entry of open.values()) {
        const h = entry.handle;
        if (entry.localOnly || h.failure() !== null || h.connected()) continue;
        if (entry.everConnected()) return "reconnecting";
        state = "connecting";
      }
      return state;
    },
    /**
     * Opens a document (or takes another reference to it). `local`: this browser's copy only,
     * never a socket (a group the user is no longer in) — unless it is already open with one.
     */
    acquire(name: string, opts: { presence?: boolean; local?: boolean } = {}): DocHandle {
      let entry = open.get(name);
      if (!entry) {
        entry = { ...createHandle(name, opts.presence === true, opts.local === true), refs: 0 };
        open.set(name, entry);
        setOpenVersion((v) => v + 1);
      }
      entry.refs++;
      return entry.handle;
    },
    release(name: string) {
      const entry = open.get(name);
      if (!entry || --entry.refs > 0) return;
      open.delete(name);
      entry.destroy();
      setOpenVersion((v) => v + 1);
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

/**
 * One `observeType` signal per open document for one of its root types, made on first read and
 * unobserved when the document is destroyed: read it in a memo to follow that type's changes.
 */
export function typeVersions(pick: (doc: Y.Doc) => Observable) {
  const versions = new Map<string, Accessor<number>>();
  return {
    /** Subscribes the running memo to `h`'s type. */
    track(h: Pick<DocHandle, "name" | "doc">): void {
      let version = versions.get(h.name);
      if (!version) {
        version = observeType(pick(h.doc), (fn) => h.doc.once("destroy", fn));
        versions.set(h.name, version);
      }
      version();
    },
    /** Forgets the documents not in `names` (released). */
    keepOnly(names: ReadonlySet<string>): void {
      for (const name of versions.keys()) if (!names.has(name)) versions.delete(name);
    },
    forget(name: string): void {
      versions.delete(name);
    },
  };
}
