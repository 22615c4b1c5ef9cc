/**
 * One socket on one room, transport-independent (Hocuspocus style): the relay
 * hands it any WebSocket-like object. `receive` handles one binary frame and never
 * throws: a bad frame closes this connection with a named code and nothing else.
 */
import {
  CLOSE_CODES,
  MAX_FRAME_BYTES,
  MESSAGE_AWARENESS,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_SYNC,
  type MessageRecord,
  messagesMap,
  SEGMENT_MESSAGES,
} from "@messenger/shared";
import * as decoding from "lib0/decoding";
import { applyAwarenessUpdate, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as Y from "yjs";
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { IndexedMessage } from "../store/types.js";
import type { UserBudget, WriteBudget } from "../write-budget.js";
import { rewriteAwarenessUpdate } from "./awareness-filter.js";
import type { RelayLimits } from "./limits.js";
import { encodeAwareness, encodeSyncStep2, SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE } from "./protocol.js";
import type { Room } from "./room.js";
import type { Access, SocketUser } from "./types.js";
import { type Verdict, validateUpdate } from "./validate-update.js";

/** What the relay needs from a socket: ws's WebSocket fits, so does a test double. */
export interface SocketLike {
  send(data: Uint8Array): void;
  close(code: number, reason?: string): void;
  /** Bytes queued but not yet sent (ws' bufferedAmount); absent means always 0. */
  readonly bufferedAmount?: number;
  /** Drops the connection without a closing handshake (a peer that does not read). */
  terminate?(): void;
}

export interface ConnectionContext {
  clock: Clock;
  logger: Logger;
  limits: RelayLimits;
  /** Messages written over sockets share the user's REST write budget. */
  writeBudget: WriteBudget;
  /** Frames per user, over all its sockets. */
  frameBudget: UserBudget;
  /** Sync step 1 requests per user, over all its sockets. */
  syncBudget: UserBudget;
  /** Trial applies (validate-update.ts) per user, over all its sockets. */
  trialBudget: UserBudget;
  /** Where a message id is being committed in the conversation; undefined when only `lookup` can tell. */
  indexed(conversationId: string, messageId: string): IndexedMessage | undefined;
  /** Where message ids are stored in the conversation's index (absent: nowhere). */
  lookup(conversationId: string, ids: string[]): Promise<Map<string, IndexedMessage>>;
  /**
   * Writes messages refused only because their segment is full into the conversation's head
   * segment instead (the HTTP post path: idempotent by id), so nothing a user wrote is lost.
   */
  relocate(conversationId: string, authorId: string, records: MessageRecord[]): void;
  /** Records message ids about to be applied, until they are committed. */
  noteInflight(conversationId: string, segment: number, authorId: string, keys: string[]): void;
  /** Called once, when the connection ends for any reason. */
  onClosed(conn: Connection): void;
  /** Brings the room up to what other processes committed (a cluster); null for one process. */
  catchUp: ((room: Room) => Promise<void>) | null;
}

/** Updates up to this size are judged even for a writer in debt (an inbox resend, a small write). */
const CHEAP_UPDATE_BYTES = 4096;
/** An update is charged at least one write per this many bytes. */
const BYTES_PER_WRITE = 4096;

/** Commits a sync step 2 waits, in a cluster, for the room to hold nothing uncommitted. */
const STEP2_WAIT_COMMITS = 3;

/** ws limits a close reason to 123 bytes. */
const MAX_CLOSE_REASON_CHARS = 100;

export class Connection {
  readonly awarenessIds = new Set<number>();
  closed = false;
  /** A sync step 2 is requested and not yet sent: another step 1 does not build a second. */
  private step2Pending = false;
  /** Frames that arrived while an update waits for the message index; handled in order after it. */
  private held: Uint8Array[] | null = null;
  private heldBytes = 0;

  constructor(
    private readonly socket: SocketLike,
    readonly user: SocketUser,
    readonly room: Room,
    readonly access: Exclude<Access, null>,
    private readonly ctx: ConnectionContext,
  ) {}

  /** Bytes queued on the socket and not yet sent. */
  get buffered(): number {
    return this.socket.bufferedAmount ?? 0;
  }

  send(frame: Uint8Array): void {
    if (this.closed) return;
    // Checked before sending, so one large frame (a segment's step 2) never trips it.
    if (this.dropIfNotReading()) return;
    try {
      this.socket.send(frame);
    } catch (err) {
      this.ctx.logger.debug("send failed", { doc: this.room.name, err: String(err) });
    }
  }

  /**
   * A socket whose queue is past the high-water mark does not read what we send: stop
   * serving it before it costs more memory. The close frame would wait behind the queue,
   * so the connection is dropped too; the client reconnects and resyncs.
   */
  dropIfNotReading(): boolean {
    if (this.buffered <= this.ctx.limits.bufferedHighWaterBytes) return false;
    this.ctx.logger.warn("socket not reading", { doc: this.room.name, user: this.user.id, buffered: this.buffered });
    this.close(CLOSE_CODES.TRY_AGAIN_LATER, "not reading");
    this.socket.terminate?.();
    return true;
  }

  /** Closes the socket with a named code; cleanup runs once. */
  close(code: number, reason = ""): void {
    if (this.closed) return;
    try {
      this.socket.close(code, reason.slice(0, MAX_CLOSE_REASON_CHARS));
    } catch {
      // the socket is gone already
    }
    this.closed = true;
    this.ctx.onClosed(this);
  }

  /** The transport reported the socket closed. */
  ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.onClosed(this);
  }

  receive(frame: Uint8Array): void {
    if (this.closed) return;
    if (frame.length > MAX_FRAME_BYTES) {
      this.close(CLOSE_CODES.FRAME_TOO_LARGE, "frame too large");
      return;
    }
    if (!this.ctx.frameBudget.take(this.user.id)) {
      this.ctx.logger.warn("frame flood", { doc: this.room.name, user: this.user.id });
      this.close(CLOSE_CODES.TRY_AGAIN_LATER, "too many frames");
      return;
    }
    if (this.held) {
      // Charged already; bounded like a send queue, so waiting frames cannot grow without end.
      this.heldBytes += frame.length;
      if (this.heldBytes > this.ctx.limits.bufferedHighWaterBytes)
        this.close(CLOSE_CODES.TRY_AGAIN_LATER, "too many frames");
      else this.held.push(frame);
      return;
    }
    this.handleSafely(frame);
  }

  /** Handles one frame; a bad one closes this connection and nothing else. */
  private handleSafely(frame: Uint8Array): void {
    try {
      this.handle(frame);
    } catch (err) {
      this.ctx.logger.debug("malformed frame", { doc: this.room.name, user: this.user.id, err: String(err) });
      this.close(CLOSE_CODES.MALFORMED_FRAME, "malformed frame");
    }
  }

  private handle(frame: Uint8Array): void {
    const d = decoding.createDecoder(frame);
    const type = decoding.readVarUint(d);
    if (type === MESSAGE_SYNC) {
      const step = decoding.readVarUint(d);
      const payload = decoding.readVarUint8Array(d);
      this.expectEnd(d, frame);
      if (step === SYNC_STEP1) {
        this.onSyncStep1(payload);
        return;
      }
      if (step === SYNC_STEP2 || step === SYNC_UPDATE) {
        this.onUpdate(payload);
        return;
      }
      throw new Error(`unknown sync step ${step}`);
    }
    if (type === MESSAGE_AWARENESS) {
      const payload = decoding.readVarUint8Array(d);
      this.expectEnd(d, frame);
      this.onAwareness(payload);
      return;
    }
    if (type === MESSAGE_QUERY_AWARENESS) {
      this.expectEnd(d, frame);
      const awareness = this.room.awareness;
      if (awareness && awareness.getStates().size > 0) {
        this.send(encodeAwareness(encodeAwarenessUpdate(awareness, [...awareness.getStates().keys()])));
      }
      return;
    }
    throw new Error(`unknown message type ${type}`);
  }

  private expectEnd(d: decoding.Decoder, frame: Uint8Array): void {
    if (d.pos !== frame.length) throw new Error(d.pos > frame.length ? "truncated frame" : "trailing bytes");
  }

  /** Replies with what the client lacks, once everything in it is committed. */
  private onSyncStep1(stateVector: Uint8Array): void {
    assertStateVector(stateVector);
    if (!this.ctx.syncBudget.take(this.user.id)) {
      this.close(CLOSE_CODES.TRY_AGAIN_LATER, "too many sync requests");
      return;
    }
    // One reply in flight at a time: the pending one answers an older state vector, so it
    // holds everything this request asks for. And a client that has not read what it was
    // sent would only grow the server's memory with another copy of the segment.
    if (this.step2Pending || this.buffered > this.ctx.limits.bufferedHighWaterBytes / 4) return;
    this.step2Pending = true;
    const reply = (waited: number) =>
      this.room.afterCommit((err) => {
        if (err || this.closed) {
          this.step2Pending = false;
          return;
        }
        // In a cluster a write applied while that commit ran may yet lose to another process's
        // and be dropped: answer from a copy with nothing uncommitted, waiting a few commits at most.
        if (this.ctx.catchUp && !this.room.atRest && waited < STEP2_WAIT_COMMITS) return reply(waited + 1);
        this.step2Pending = false;
        try {
          this.send(encodeSyncStep2(this.room.diff(stateVector)));
        } catch {
          this.close(CLOSE_CODES.MALFORMED_FRAME, "bad state vector");
        }
      });
    reply(0);
  }

  private onUpdate(update: Uint8Array, caughtUp = false): void {
    const room = this.room;
    // Judging a large update costs real CPU: a writer in debt is turned away before that.
    if (update.length > CHEAP_UPDATE_BYTES && !this.ctx.writeBudget.available(this.user.id)) {
      this.ctx.logger.warn("write rate exceeded", { doc: room.name, user: this.user.id });
      this.close(CLOSE_CODES.TRY_AGAIN_LATER, "too many messages");
      return;
    }
    const unknown: string[] = [];
    const version = room.version;
    const messages = room.target.kind === "conversation" ? messagesMap(room.doc) : null;
    const verdict = this.judge(
      update,
      (id) => {
        const hit = this.ctx.indexed(this.conversationId, id);
        // A key this document holds lives in this segment: only a new key needs the index.
        if (hit === undefined && messages?.has(id) === false && !room.soleSegment) unknown.push(id);
        return hit ?? null;
      },
      // Not proven on a copy before the index has answered: it is judged again then.
      () => unknown.length === 0 && this.ctx.trialBudget.take(this.user.id),
    );
    if (!verdict.ok && verdict.refusal === "missing" && !caughtUp && this.ctx.catchUp) {
      // In a cluster the history may be committed already, by another process this copy has
      // not heard from yet: catch up from the store and judge again before sending it away.
      this.held = [];
      this.ctx.catchUp(room).then(
        () => this.judgedAgain(update),
        () => this.close(CLOSE_CODES.TRY_AGAIN_LATER, "try again later"),
      );
      return;
    }
    const undecided = verdict.ok ? !verdict.noop : verdict.refusal === "throttled";
    if (undecided && unknown.length > 0 && room.target.kind === "conversation") {
      // New message ids: the index says whether one already lives in another segment. The
      // update is judged again with the answer (the document may have moved on meanwhile),
      // and this socket's later frames wait their turn.
      this.held = [];
      this.ctx
        .lookup(this.conversationId, unknown)
        .then(
          (stored) => {
            if (this.closed) return;
            // The first judgement took every unknown id for absent and needed no trial (it would
            // have been refused as throttled): if the index agrees and the document has not
            // changed since, it stands.
            if (stored.size === 0 && room.version === version && verdict.ok) return this.settle(update, verdict);
            const again = this.judge(
              update,
              (id) => this.ctx.indexed(this.conversationId, id) ?? stored.get(id) ?? null,
              () => this.ctx.trialBudget.take(this.user.id),
            );
            this.settle(update, again);
          },
          (err) => {
            this.ctx.logger.error("message index lookup failed", { doc: room.name, err: String(err) });
            this.close(CLOSE_CODES.TRY_AGAIN_LATER, "try again later");
          },
        )
        .finally(() => this.release());
      return;
    }
    this.settle(update, verdict);
  }

  /** After a catch-up: judges `update` again, then the frames that waited behind it. */
  private judgedAgain(update: Uint8Array): void {
    const waiting = this.held ?? [];
    this.held = null;
    this.heldBytes = 0;
    if (this.closed) return;
    try {
      this.onUpdate(update, true);
    } catch (err) {
      this.ctx.logger.debug("malformed frame", { doc: this.room.name, user: this.user.id, err: String(err) });
      this.close(CLOSE_CODES.MALFORMED_FRAME, "malformed frame");
      return;
    }
    if (this.held !== null) {
      // Waiting for the index now: the frames go behind it.
      (this.held as Uint8Array[]).push(...waiting);
      for (const frame of waiting) this.heldBytes += frame.length;
    } else {
      this.held = waiting;
      this.release();
    }
  }

  private get conversationId(): string {
    return this.room.target.kind === "conversation" ? this.room.target.conversationId : "";
  }

  private judge(
    update: Uint8Array,
    indexed: (id: string) => IndexedMessage | null,
    admitTrial: () => boolean,
  ): Verdict {
    const target = this.room.target;
    return validateUpdate(update, {
      doc: this.room.doc,
      kind: target.kind,
      writer: this.user.id,
      clients: this.room.clients,
      now: this.ctx.clock(),
      segment: target.kind === "conversation" ? target.segment : 0,
      indexed: (id) => (target.kind === "conversation" ? indexed(id) : null),
      capacity: target.kind === "conversation" ? SEGMENT_MESSAGES : undefined,
      admitTrial,
    });
  }

  /** Handles the frames held during a lookup, in order, until one is held again. */
  private release(): void {
    const held = this.held ?? [];
    this.held = null;
    this.heldBytes = 0;
    while (held.length > 0 && !this.closed && this.held === null) {
      const frame = held.shift() as Uint8Array;
      this.handleSafely(frame);
    }
    if (this.held !== null) {
      (this.held as Uint8Array[]).unshift(...held);
      for (const frame of held) this.heldBytes += frame.length;
    }
  }

  /** Applies a judged update, or refuses it. */
  private settle(update: Uint8Array, verdict: Verdict): void {
    const room = this.room;
    const target = room.target;
    if (!verdict.ok) {
      this.refuse(verdict);
      return;
    }
    if (verdict.noop) return;
    // Charged by messages, and by size for updates heavy in anything else (GC ranges, history):
    // every stored update costs at least one write.
    const writes = verdict.changedKeys.length + verdict.changedReactions.length;
    const cost = Math.max(1, writes, Math.ceil(update.length / BYTES_PER_WRITE));
    if (!this.ctx.writeBudget.take(this.user.id, cost)) {
      // Not applied: the client still has it and sends it again when it reconnects.
      this.ctx.logger.warn("write rate exceeded", { doc: room.name, user: this.user.id });
      this.close(CLOSE_CODES.TRY_AGAIN_LATER, "too many messages");
      return;
    }
    room.noteClientWrite(this.user.id, verdict.newClients, verdict.changedKeys, verdict.changedReactions);
    if (target.kind === "conversation") {
      this.ctx.noteInflight(target.conversationId, target.segment, this.user.id, verdict.changedKeys);
    }
    Y.applyUpdate(room.doc, update, this);
  }

  private refuse(verdict: Extract<Verdict, { ok: false }>): void {
    const room = this.room;
    if (verdict.refusal === "missing") {
      // The client has history the server lacks (another tab's write it saw first). Not
      // applied and not refused: a reconnect resyncs it whole (its step 2 brings the missing
      // part along), and a client that counts step 2 answers as acknowledgements does not
      // take this unapplied update for a delivered one.
      this.ctx.logger.debug("update ahead of the server", { doc: room.name, user: this.user.id });
      this.close(CLOSE_CODES.TRY_AGAIN_LATER, "resync: update depends on history the server lacks");
      return;
    }
    if (verdict.refusal === "throttled") {
      // Not applied: the client still has it and sends it again when it reconnects.
      this.ctx.logger.warn("update throttled", { doc: room.name, user: this.user.id, reason: verdict.reason });
      this.close(CLOSE_CODES.TRY_AGAIN_LATER, verdict.reason);
      return;
    }
    this.ctx.logger.warn("update rejected", { doc: room.name, user: this.user.id, reason: verdict.reason });
    if (verdict.overflow && room.target.kind === "conversation") {
      this.ctx.relocate(room.target.conversationId, this.user.id, verdict.overflow);
    }
    this.close(
      verdict.refusal === "malformed" ? CLOSE_CODES.MALFORMED_FRAME : CLOSE_CODES.WRITE_REJECTED,
      verdict.reason,
    );
  }

  private onAwareness(update: Uint8Array): void {
    const room = this.room;
    const awareness = room.ensureAwareness();
    if (!awareness) return; // inbox documents carry no client awareness
    const verdict = rewriteAwarenessUpdate(update, this.user, (id, clock) => {
      const owner = room.awarenessOwners.get(id);
      if (owner === this) return "own";
      const current = awareness.meta.get(id)?.clock;
      if (current !== undefined && clock <= current) return "echo";
      if (id === awareness.clientID) return "foreign";
      // Introduced on another process: its user's alone, wherever they reconnect.
      const remote = owner === undefined ? room.remoteAwareness.get(id) : undefined;
      if (remote !== undefined) return remote === this.user.id ? "own" : "foreign";
      // Unclaimed, or another socket of the same user (a tab reconnecting before its old socket timed out).
      return owner === undefined || owner.user.id === this.user.id ? "own" : "foreign";
    });
    if (!verdict.ok) {
      this.ctx.logger.warn("awareness rejected", { doc: room.name, user: this.user.id, reason: verdict.reason });
      this.close(verdict.malformed ? CLOSE_CODES.MALFORMED_FRAME : CLOSE_CODES.WRITE_REJECTED, verdict.reason);
      return;
    }
    const added = verdict.clientIds.filter((id) => !this.awarenessIds.has(id)).length;
    if (this.awarenessIds.size + added > this.ctx.limits.awarenessIdsPerSocket) {
      this.ctx.logger.warn("awareness ids over the limit", { doc: room.name, user: this.user.id });
      this.close(CLOSE_CODES.POLICY_VIOLATION, "too many awareness ids");
      return;
    }
    for (const id of verdict.clientIds) {
      const owner = room.awarenessOwners.get(id);
      if (owner && owner !== this) owner.awarenessIds.delete(id);
      room.awarenessOwners.set(id, this);
      this.awarenessIds.add(id);
    }
    if (verdict.clientIds.length > 0) applyAwarenessUpdate(awareness, verdict.update, this);
  }
}

/** A state vector is varuint count, then count × (client, clock), and nothing after. */
function assertStateVector(sv: Uint8Array): void {
  const d = decoding.createDecoder(sv);
  const n = decoding.readVarUint(d);
  for (let i = 0; i < n && d.pos <= sv.length; i++) {
    decoding.readVarUint(d);
    decoding.readVarUint(d);
  }
  if (d.pos !== sv.length) throw new Error("bad state vector");
}
