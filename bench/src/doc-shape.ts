/**
 * Bench 2: what opening a conversation costs as its history grows, for three document
 * shapes and for what our client really opens.
 *
 *   (a) Y.Array of records, history replayed as one update per message
 *   (b) Y.Map keyed by id (our schema), history replayed as one update per message
 *   (c) Y.Map, compacted: one Y.encodeStateAsUpdate snapshot applied to a fresh doc
 *   (d) ours: one segment (SEGMENT_MESSAGES messages) as a snapshot + one HTTP page
 *
 * History is written by two writers (two Yjs client ids) exchanging updates, as in a
 * 1:1 conversation: each writer sends a run of 1-4 messages before the other answers.
 * (With a single writer, consecutive Y.Array pushes merge and replay turns superlinear;
 * with strict alternation nothing merges. Runs sit between the two.)
 */
import {
  DEFAULT_PAGE_LIMIT,
  listMessages,
  MESSAGES_ROOT,
  type Message,
  type MessageRecord,
  type MessagesPage,
  SEGMENT_MESSAGES,
} from "@messenger/shared";
import * as Y from "yjs";
import { fmt, fmtBytes, timeRuns } from "./lib/stats.js";
import { printTable } from "./lib/table.js";

export interface ShapeOptions {
  messages: number;
  /** The Y.Array replay is slow to generate and run: measured at this size and extrapolated. */
  arrayMessages: number;
  runs: number;
}

export const SHAPE_DEFAULTS: ShapeOptions = { messages: 100_000, arrayMessages: 20_000, runs: 2 };

export interface ShapeRow {
  case: string;
  messages: number;
  updates: number;
  bytes: number;
  applyMs: number;
  readMs: number;
  /** Set when the figure is scaled from a smaller measurement. */
  extrapolatedFrom?: number;
}

const AUTHORS = ["Xk3s9bQ2mN7pL4vR8tY1wZ6cD0fG5hJ2", "aB4cD6eF8gH0iJ2kL4mN6oP8qR0sT2uV"];
const START_AT = Date.UTC(2024, 0, 1);

/** Deterministic 32-bit hash, so every run writes the same history. */
const hash = (i: number) => Math.imul(i ^ 0x5bd1e995, 2654435761) >>> 0;

/** Which writer sends message i: runs of 1-4 messages per writer. */
function writerOf(count: number): Uint8Array {
  const out = new Uint8Array(count);
  let w = 0;
  for (let i = 0; i < count; ) {
    const run = 1 + (hash(i) % 4);
    for (let k = 0; k < run && i < count; k++, i++) out[i] = w;
    w = 1 - w;
  }
  return out;
}

/** A realistic record: 32-hex id (like newMessageId), 32-char author id (like better-auth's). */
function record(i: number, writer: number): MessageRecord {
  return {
    id: (hash(i).toString(16).padStart(8, "0") + i.toString(16).padStart(8, "0")).repeat(2),
    author: AUTHORS[writer] as string,
    text: `message ${i}: ${"the quick brown fox jumps over the lazy dog ".slice(0, 20 + (i % 40))}`,
    createdAt: START_AT + i * 7_000,
  };
}

/**
 * One update per message, written by two docs. With `exchange`, each doc applies the
 * other's updates before writing, so array inserts reference the other writer's items as
 * they would live. Map writes of fresh keys reference nothing (no left/right origin), so
 * they skip the exchange and generation takes half the time with identical updates.
 */
function history(
  count: number,
  write: (doc: Y.Doc, r: MessageRecord) => void,
  opts: { singleWriter?: boolean; exchange: boolean },
): Uint8Array[] {
  const docs = [new Y.Doc(), new Y.Doc()] as const;
  const writers = opts.singleWriter ? new Uint8Array(count) : writerOf(count);
  const updates: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const w = writers[i] as number;
    const from = docs[w] as Y.Doc;
    const to = docs[1 - w] as Y.Doc;
    const captured: Uint8Array[] = [];
    const onUpdate = (u: Uint8Array) => captured.push(u);
    from.on("update", onUpdate);
    write(from, record(i, w));
    from.off("update", onUpdate);
    for (const u of captured) {
      updates.push(u);
      if (opts.exchange) Y.applyUpdate(to, u);
    }
  }
  docs[0].destroy();
  docs[1].destroy();
  return updates;
}

/** Collects garbage between measurements when node runs with --expose-gc (the bench script does). */
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

const sum = (us: Uint8Array[]) => us.reduce((n, u) => n + u.byteLength, 0);

/** Median apply and read times over `runs` fresh docs. */
function measure(
  runs: number,
  open: (doc: Y.Doc) => void,
  read: (doc: Y.Doc) => void,
  /** Sees the last opened doc before it is destroyed. */
  keep?: (doc: Y.Doc) => void,
): { applyMs: number; readMs: number } {
  const apply: number[] = [];
  const reads: number[] = [];
  for (let r = 0; r < runs; r++) {
    gc();
    const doc = new Y.Doc();
    apply.push(timeRuns(1, () => open(doc))[0] as number);
    reads.push(timeRuns(1, () => read(doc))[0] as number);
    if (r === runs - 1) keep?.(doc);
    doc.destroy();
  }
  return { applyMs: Math.min(...apply), readMs: Math.min(...reads) };
}

const replay = (updates: Uint8Array[]) => (doc: Y.Doc) => {
  for (const u of updates) Y.applyUpdate(doc, u);
};
const readArray = (doc: Y.Doc) => void doc.getArray<MessageRecord>(MESSAGES_ROOT).toArray();
const readMap = (doc: Y.Doc) => void listMessages(doc);

function httpPage(): string {
  const messages: Message[] = Array.from({ length: DEFAULT_PAGE_LIMIT }, (_, k) => {
    const r = record(k, k % 2);
    return {
      id: r.id,
      conversationId: "c0123456789abcdef",
      authorId: r.author,
      text: r.text,
      createdAt: r.createdAt,
      editedAt: null,
      deletedAt: null,
      segment: 0,
      replyTo: null,
      reactions: [],
    };
  });
  return JSON.stringify({ messages, hasMore: true, hasNewer: false } satisfies MessagesPage);
}

export function docShapeBench(options: Partial<ShapeOptions> = {}) {
  const o = { ...SHAPE_DEFAULTS, ...options };
  const rows: ShapeRow[] = [];

  // Warm up the JIT on both shapes, so the first measured case is not the cold one.
  const arrayWrite = (doc: Y.Doc, r: MessageRecord) => void doc.getArray<MessageRecord>(MESSAGES_ROOT).push([r]);
  const mapWrite = (doc: Y.Doc, r: MessageRecord) => void doc.getMap<MessageRecord>(MESSAGES_ROOT).set(r.id, r);
  for (const write of [arrayWrite, mapWrite]) {
    const warm = history(2000, write, { exchange: write === arrayWrite });
    measure(2, replay(warm), write === arrayWrite ? readArray : readMap);
  }

  // (a) Y.Array, at two sizes to see whether replay is linear before extrapolating.
  const scale = o.messages / o.arrayMessages;
  const arrayCase = (label: string, singleWriter: boolean) => {
    const at = (n: number) => {
      const updates = history(n, arrayWrite, { singleWriter, exchange: !singleWriter });
      return { updates, ...measure(o.runs, replay(updates), readArray) };
    };
    const half = at(Math.round(o.arrayMessages / 2));
    const full = at(o.arrayMessages);
    // Growth exponent from n/2 -> n (1 = linear), floored at 1: noise must not make the extrapolation kinder.
    const measured = Math.log2(full.applyMs / half.applyMs);
    const exponent = Math.max(1, measured);
    const bytes = sum(full.updates);
    rows.push({
      case: `${label}, replay 1 update/msg`,
      messages: o.arrayMessages,
      updates: full.updates.length,
      bytes,
      applyMs: full.applyMs,
      readMs: full.readMs,
    });
    rows.push({
      case: `${label}, replay (extrapolated)`,
      messages: o.messages,
      updates: Math.round(full.updates.length * scale),
      bytes: bytes * scale,
      applyMs: full.applyMs * scale ** exponent,
      readMs: full.readMs * scale,
      extrapolatedFrom: o.arrayMessages,
    });
    return { label, measured, exponent };
  };
  const growth = [arrayCase("(a) Y.Array", false), arrayCase("(a') Y.Array, 1 writer", true)];

  // (b) Y.Map keyed by id: at the Y.Array's size (a measured comparison), then full size.
  const smallMap = history(o.arrayMessages, mapWrite, { exchange: false });
  rows.push({
    case: "(b) Y.Map, replay 1 update/msg",
    messages: o.arrayMessages,
    updates: smallMap.length,
    bytes: sum(smallMap),
    ...measure(o.runs, replay(smallMap), readMap),
  });
  const map = history(o.messages, mapWrite, { exchange: false });
  let snapshot: Uint8Array = new Uint8Array();
  const mapReplay = measure(Math.min(o.runs, 2), replay(map), readMap, (doc) => {
    snapshot = Y.encodeStateAsUpdate(doc);
  });
  rows.push({
    case: "(b) Y.Map, replay 1 update/msg",
    messages: o.messages,
    updates: map.length,
    bytes: sum(map),
    ...mapReplay,
  });

  // (c) compacted snapshot of the same map.
  map.length = 0;
  const snap = measure(o.runs, (doc) => Y.applyUpdate(doc, snapshot), readMap);
  rows.push({
    case: "(c) Y.Map, compacted snapshot",
    messages: o.messages,
    updates: 1,
    bytes: snapshot.byteLength,
    ...snap,
  });

  // (d) what our client opens: the head segment's snapshot plus the first history page.
  let segmentSnapshot: Uint8Array = new Uint8Array();
  measure(1, replay(history(SEGMENT_MESSAGES, mapWrite, { exchange: false })), readMap, (doc) => {
    segmentSnapshot = Y.encodeStateAsUpdate(doc);
  });
  const page = httpPage();
  const ours = measure(
    o.runs * 3,
    (doc) => {
      Y.applyUpdate(doc, segmentSnapshot);
      JSON.parse(page);
    },
    readMap,
  );
  rows.push({
    case: `(d) ours: 1 segment snapshot + page of ${DEFAULT_PAGE_LIMIT}`,
    messages: SEGMENT_MESSAGES + DEFAULT_PAGE_LIMIT,
    updates: 1,
    bytes: segmentSnapshot.byteLength + Buffer.byteLength(page),
    ...ours,
  });

  const b = rows.find((r) => r.case.startsWith("(b)") && r.messages === o.messages);
  printTable(
    `Opening cost vs history (${o.messages.toLocaleString("en-US")} messages; best of ${o.runs} fresh docs, full-size (b) best of ${Math.min(o.runs, 2)}; best = least disturbed by other load)`,
    ["case", "messages", "updates", "bytes", "apply ms", "read ms", "total ms", "vs (b)"],
    rows.map((r) => [
      r.case,
      r.messages.toLocaleString("en-US"),
      r.updates.toLocaleString("en-US"),
      fmtBytes(r.bytes),
      fmt(r.applyMs),
      fmt(r.readMs),
      fmt(r.applyMs + r.readMs),
      b ? `${((r.applyMs + r.readMs) / (b.applyMs + b.readMs)).toFixed(3)}x` : "–",
    ]),
    [
      `(a) is measured at ${Math.round(o.arrayMessages / 2).toLocaleString("en-US")} and ${o.arrayMessages.toLocaleString("en-US")} messages and extrapolated to ${o.messages.toLocaleString("en-US")} as t(n) ~ n^k, k from those two sizes floored at 1 (linear); bytes scale linearly`,
      ...growth.map((g) => `${g.label}: k = ${g.exponent.toFixed(2)} (measured ${g.measured.toFixed(2)})`),
      "history: two writers exchanging updates, runs of 1-4 messages per writer ((a') one writer: consecutive pushes merge); ids 32 hex chars, authors 32 chars",
      "apply = Y.applyUpdate of every update (or the one snapshot); read = materialize the sorted message list (toArray / listMessages)",
      `(d) bytes = segment snapshot (${fmtBytes(segmentSnapshot.byteLength)}) + page JSON (${fmtBytes(Buffer.byteLength(page))}); apply includes JSON.parse of the page; no network here (bench 3 measures the socket)`,
    ],
  );
  return { options: o, rows, arrayGrowth: growth, segmentMessages: SEGMENT_MESSAGES };
}
