/**
 * The scale bench's client: one `ws` socket speaking just enough y-protocols sync to be
 * a correct, cheap participant, so two client processes can drive 1,000 writers or
 * 10,000 idle sockets. No provider, no awareness, no BroadcastChannel.
 *
 *   client → server  on open: (Hocuspocus: auth frame with an empty token) sync step 1
 *   server → client  sync step 1   → answered with sync step 2 from this client's own doc
 *   server → client  sync step 2   → the first one after each open counts as "synced"
 *   server → client  sync update   → the message ids it carries go to `onKeys`
 *   everything else (awareness, Hocuspocus auth and sync status, presence) is read and dropped.
 *
 * A writer keeps a Y.Doc holding only its own messages (its own Yjs client id, as the
 * server expects): a new key in `Y.Map("messages")` depends on nothing else, so received
 * updates are never applied, only decoded for their keys. Hocuspocus puts the document
 * name before every frame; y-websocket names the document in the URL.
 */
import { addMessage, MESSAGE_SYNC, newMessageId } from "@messenger/shared";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import * as Y from "yjs";

export type Protocol = "y-websocket" | "hocuspocus";

const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;
/** Hocuspocus' message types: a sync step 2 answering the client's step 1, and authentication. */
const HOCUSPOCUS_SYNC_REPLY = 4;
const HOCUSPOCUS_AUTH = 2;
const HOCUSPOCUS_AUTH_TOKEN = 0;
/** An empty Yjs update (no structs, empty delete set): an idle socket's sync step 2. */
const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc());
const TEXT = "lorem ipsum dolor sit amet, consectetur adipiscing elit";
/**
 * Reconnecting after a close the bench did not ask for (a restart, a refusal) as y-websocket's
 * WebsocketProvider does: 100 ms x 2^(failed attempts since the last open), at most 2,500 ms.
 */
export const RECONNECT_BASE_MS = 100;
export const RECONNECT_MAX_MS = 2500;

export interface LightClientOptions {
  protocol: Protocol;
  /** ws://host:port[/prefix]: y-websocket appends `/<room>`. */
  url: string;
  room: string;
  headers: Record<string, string>;
  /** The MessageRecord.author this client writes; null for an idle socket that only syncs. */
  author: string | null;
  onSynced(client: LightClient): void;
  /** Message ids in a sync update or step 2 the server sent (writers only). */
  onKeys(client: LightClient, keys: string[]): void;
  /**
   * Instead of `onKeys`: the messages themselves (id, author, text), for a reader that needs
   * what a writer put in the text (the group bench's send time). Decodes a little more.
   */
  onMessages?(client: LightClient, messages: ReceivedMessage[]): void;
  /** A socket closed or failed to open: "<code>" or "error <reason>". */
  onClosed(client: LightClient, outcome: string): void;
}

/** What a received update sets in `Y.Map("messages")`, as far as the group bench reads it. */
export interface ReceivedMessage {
  id: string;
  author: string;
  text: string;
}

export class LightClient {
  /** First sync step 2 received on each socket: grows by one per (re)connect. */
  syncs = 0;
  synced = false;
  written = 0;
  inFlight = 0;
  private ws: WebSocket | null = null;
  private stopped = false;
  private readonly doc: Y.Doc | null;
  private lastUpdate: Uint8Array | null = null;
  /** Attempts that never opened since the last socket that did: the backoff exponent. */
  private failedOpens = 0;

  constructor(readonly o: LightClientOptions) {
    this.doc = o.author === null ? null : new Y.Doc();
    this.doc?.on("update", (update: Uint8Array) => {
      this.lastUpdate = update;
    });
  }

  open(): void {
    this.stopped = false;
    this.synced = false;
    const url = this.o.protocol === "y-websocket" ? `${this.o.url}/${this.o.room}` : this.o.url;
    const ws = new WebSocket(url, { headers: this.o.headers, perMessageDeflate: false });
    this.ws = ws;
    let opened = false;
    ws.on("open", () => {
      opened = true;
      this.failedOpens = 0;
      if (this.o.protocol === "hocuspocus") {
        this.send((e) => {
          encoding.writeVarUint(e, HOCUSPOCUS_AUTH);
          encoding.writeVarUint(e, HOCUSPOCUS_AUTH_TOKEN);
          encoding.writeVarString(e, "");
        });
      }
      this.send((e) => {
        encoding.writeVarUint(e, MESSAGE_SYNC);
        encoding.writeVarUint(e, SYNC_STEP1);
        encoding.writeVarUint8Array(e, this.doc ? Y.encodeStateVector(this.doc) : new Uint8Array([0]));
      });
    });
    ws.on("message", (data: Buffer) => this.receive(data));
    // ws emits "close" after "error" too, so one handler sees every way a socket ends.
    let failure: string | null = null;
    ws.on("error", (error) => {
      failure = `error ${(error as NodeJS.ErrnoException).code ?? error.message}`;
    });
    ws.on("close", (code) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.synced = false;
      this.o.onClosed(this, failure ?? String(code));
      if (!opened) this.failedOpens++;
      const delayMs = Math.min(RECONNECT_BASE_MS * 2 ** this.failedOpens, RECONNECT_MAX_MS);
      if (!this.stopped) setTimeout(() => this.ws === null && !this.stopped && this.open(), delayMs);
    });
  }

  /** Drops the socket without a close handshake and opens a new one at once (a network blip). */
  drop(): void {
    const ws = this.ws;
    this.ws = null;
    ws?.terminate();
    this.open();
  }

  /** Closes for good: no reconnect. */
  close(): void {
    this.stopped = true;
    this.ws?.terminate();
    this.ws = null;
  }

  /** Writes one message as the app does (`addMessage`) and sends the update; returns its id. */
  write(text = `${this.written} ${TEXT}`): string {
    if (!this.doc || this.o.author === null) throw new Error("an idle client does not write");
    const id = newMessageId();
    this.written++;
    addMessage(this.doc, { id, author: this.o.author, text, createdAt: Date.now() });
    const update = this.lastUpdate as Uint8Array;
    this.send((e) => {
      encoding.writeVarUint(e, MESSAGE_SYNC);
      encoding.writeVarUint(e, SYNC_UPDATE);
      encoding.writeVarUint8Array(e, update);
    });
    return id;
  }

  private send(write: (e: encoding.Encoder) => void): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return; // a writer's message then reaches the server in its next sync
    const e = encoding.createEncoder();
    if (this.o.protocol === "hocuspocus") encoding.writeVarString(e, this.o.room);
    write(e);
    this.ws.send(encoding.toUint8Array(e));
  }

  private receive(data: Buffer): void {
    const d = decoding.createDecoder(data);
    if (this.o.protocol === "hocuspocus") decoding.readVarString(d);
    const type = decoding.readVarUint(d);
    if (type !== MESSAGE_SYNC && type !== HOCUSPOCUS_SYNC_REPLY) return;
    const step = decoding.readVarUint(d);
    const payload = decoding.readVarUint8Array(d);
    if (step === SYNC_STEP1) {
      const update = this.doc ? Y.encodeStateAsUpdate(this.doc, payload) : EMPTY_UPDATE;
      this.send((e) => {
        encoding.writeVarUint(e, MESSAGE_SYNC);
        encoding.writeVarUint(e, SYNC_STEP2);
        encoding.writeVarUint8Array(e, update);
      });
      return;
    }
    if (step === SYNC_STEP2 && !this.synced) {
      this.synced = true;
      this.syncs++;
      this.o.onSynced(this);
    }
    if (!this.doc || (step !== SYNC_UPDATE && step !== SYNC_STEP2)) return;
    if (this.o.onMessages) this.o.onMessages(this, messagesOf(payload));
    else this.o.onKeys(this, keysOf(payload));
  }
}

/** The map keys (message ids) an update sets. */
function keysOf(update: Uint8Array): string[] {
  const keys: string[] = [];
  for (const struct of Y.decodeUpdate(update).structs)
    if (struct instanceof Y.Item && struct.parentSub !== null) keys.push(struct.parentSub);
  return keys;
}

/** The message records an update sets (a record is one ContentAny item under its id). */
function messagesOf(update: Uint8Array): ReceivedMessage[] {
  const messages: ReceivedMessage[] = [];
  for (const struct of Y.decodeUpdate(update).structs) {
    if (!(struct instanceof Y.Item) || struct.parentSub === null || !(struct.content instanceof Y.ContentAny)) continue;
    const record = struct.content.arr[0] as Partial<ReceivedMessage> | undefined;
    if (typeof record?.text === "string" && typeof record.author === "string")
      messages.push({ id: struct.parentSub, author: record.author, text: record.text });
  }
  return messages;
}
