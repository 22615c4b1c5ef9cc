/**
 * Bench 3: opening a long conversation on our server costs about what opening a short
 * one does, because a client syncs only the documents the summary lists (the head
 * segment and the one before, each at most SEGMENT_MESSAGES messages) and pages older
 * history over HTTP.
 *
 * One server, three conversations: short (10 messages by default, written over HTTP; the
 * scale bench asks for 100, the rest by the bulk writer), mid (two
 * full segments) and long (100k). For each: time until fresh WebsocketProviders for the
 * listed documents are synced, the bytes they received, and the first HTTP history page.
 * "cold" is the first open after a restart (rooms load from SQLite), "warm" later opens.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ConversationSummary, DEFAULT_PAGE_LIMIT, newMessageId, SEGMENT_MESSAGES } from "@messenger/shared";
import * as Y from "yjs";
import {
  type BenchUser,
  createConversation,
  getJson,
  type OurServer,
  postMessage,
  type SeedTarget,
  seedMessages,
  signUpMany,
  startOurServer,
} from "./lib/our-server.js";
import { fmt, fmtBytes, median } from "./lib/stats.js";
import { printTable } from "./lib/table.js";
import { type ByteCounter, connect } from "./relay/clients.js";

export interface LongOptions {
  longMessages: number;
  shortMessages: number;
  warmOpens: number;
  /** Seed over HTTP only when it would take less than this; otherwise use the relay's bulk writer. */
}
export const LONG_DEFAULTS: LongOptions = {
  longMessages: 100_000,
  shortMessages: 10,
  warmOpens: 5,
};

/** Within one user's REST write burst (WRITE_BURST = 30, less the writes made before). */
const HTTP_PROBE_MESSAGES = 15;
/** The short conversation's messages posted over HTTP (with the probe, within that burst); more go through the bulk writer. */
const SHORT_OVER_HTTP = 10;
const HTTP_PROBE_CONCURRENCY = 4;

interface OpenResult {
  ms: number;
  headMs: number;
  bytesReceived: number;
  messagesInDocs: number;
}

export interface LongRow {
  conversation: string;
  messages: number;
  headSegment: number;
  documents: number;
  messagesInDocs: number;
  coldMs: number;
  warmMs: number;
  warmHeadMs: number;
  bytesReceived: number;
  pageMs: number;
  pageBytes: number;
}

/** Opens every document the summary lists, as the client does, each over its own socket. */
async function openConversation(server: OurServer, user: BenchUser, summary: ConversationSummary): Promise<OpenResult> {
  const bytes: ByteCounter = { received: 0 };
  const docs = summary.documents.map(() => new Y.Doc());
  const t0 = performance.now();
  let headMs = 0;
  const conns = summary.documents.map((room, i) =>
    connect({ kind: "y-websocket", url: server.wsUrl, room, doc: docs[i] as Y.Doc, headers: user.headers, bytes }),
  );
  try {
    await Promise.all(
      conns.map((c, i) =>
        c.synced.then(() => {
          if (i === 0) headMs = performance.now() - t0;
        }),
      ),
    );
    const ms = performance.now() - t0;
    const messagesInDocs = docs.reduce((n, d) => n + d.getMap("messages").size, 0);
    return { ms, headMs, bytesReceived: bytes.received, messagesInDocs };
  } finally {
    for (const c of conns) c.destroy();
    for (const d of docs) d.destroy();
  }
}

/** Posts `count` messages over HTTP with `concurrency` requests in flight; returns the ms taken. */
async function postMany(
  server: OurServer,
  user: BenchUser,
  conversationId: string,
  count: number,
  concurrency: number,
) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      await postMessage(server, user, conversationId, newMessageId(), `message ${n}: hello there`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - t0;
}

export async function longConversationBench(options: Partial<LongOptions> = {}) {
  const o = { ...LONG_DEFAULTS, ...options };
  // Our own data dir, so it survives the restarts around seeding.
  const dataDir = mkdtempSync(path.join(tmpdir(), "messenger-bench-long-"));
  let server = await startOurServer({ dataDir });
  try {
    const [a, b, c, d] = (await signUpMany(server, `long${Date.now().toString(36)}u`, 4)) as BenchUser[] as [
      BenchUser,
      BenchUser,
      BenchUser,
      BenchUser,
    ];
    const conversations = {
      short: { id: (await createConversation(server, a, c)).id, messages: o.shortMessages },
      mid: { id: (await createConversation(server, a, d)).id, messages: 2 * SEGMENT_MESSAGES },
      long: { id: (await createConversation(server, a, b)).id, messages: o.longMessages },
    };
    const shortOverHttp = Math.min(o.shortMessages, SHORT_OVER_HTTP);
    await postMany(server, a, conversations.short.id, shortOverHttp, 1);

    // Probe the HTTP write rate within one user's write burst (REST writes are rate-limited
    // per user, so a bulk load goes through the relay's writer in a child process).
    const probeMs = await postMany(server, a, conversations.long.id, HTTP_PROBE_MESSAGES, HTTP_PROBE_CONCURRENCY);
    const httpPostsPerSecond = (HTTP_PROBE_MESSAGES / probeMs) * 1000;
    await server.stop();
    const shortRest: SeedTarget = {
      conversationId: conversations.short.id,
      count: o.shortMessages - shortOverHttp,
      authors: [a.id, c.id],
    };
    const done = await seedMessages(dataDir, [
      ...(shortRest.count > 0 ? [shortRest] : []),
      { conversationId: conversations.mid.id, count: conversations.mid.messages, authors: [a.id, d.id] },
      {
        conversationId: conversations.long.id,
        count: conversations.long.messages - HTTP_PROBE_MESSAGES,
        authors: [a.id, b.id],
      },
    ]);
    const seededBy = `relay.writeMessages in a child process (${fmt(done.ms / 1000)} s)`;
    // Restarted either way, so the first open of each conversation is cold.
    server = await startOurServer({ dataDir });

    const rows: LongRow[] = [];
    const entries = Object.entries(conversations);
    const summaries = new Map<string, ConversationSummary>();
    const cold = new Map<string, OpenResult>();
    for (const [key, conv] of entries) {
      const { body } = await getJson<{ conversation: ConversationSummary }>(server, a, `/api/conversations/${conv.id}`);
      summaries.set(key, body.conversation);
      cold.set(key, await openConversation(server, a, body.conversation));
    }
    for (const [key, conv] of entries) {
      const summary = summaries.get(key) as ConversationSummary;
      const first = cold.get(key) as OpenResult;
      const warm: OpenResult[] = [];
      for (let i = 0; i < o.warmOpens; i++) warm.push(await openConversation(server, a, summary));
      const pages = [];
      for (let i = 0; i < o.warmOpens; i++) {
        pages.push(
          await getJson<unknown>(server, a, `/api/conversations/${conv.id}/messages?limit=${DEFAULT_PAGE_LIMIT}`),
        );
      }
      rows.push({
        conversation: key,
        messages: conv.messages,
        headSegment: summary.headSegment,
        documents: summary.documents.length,
        messagesInDocs: first.messagesInDocs,
        coldMs: first.ms,
        warmMs: median(warm.map((w) => w.ms)),
        warmHeadMs: median(warm.map((w) => w.headMs)),
        bytesReceived: median(warm.map((w) => w.bytesReceived)),
        pageMs: median(pages.map((p) => p.ms)),
        pageBytes: pages[0]?.bytes ?? Number.NaN,
      });
    }
    print(o, rows, seededBy, httpPostsPerSecond);
    return { options: o, seededBy, httpPostsPerSecond, rows };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function print(o: LongOptions, rows: LongRow[], seededBy: string, httpPostsPerSecond: number) {
  printTable(
    `Server open of a long conversation (ours; warm = median of ${o.warmOpens})`,
    [
      "conversation",
      "messages",
      "head seg",
      "docs",
      "msgs synced",
      "cold ms",
      "warm ms",
      "warm head ms",
      "bytes in",
      "page ms",
      "page bytes",
    ],
    rows.map((r) => [
      r.conversation,
      r.messages.toLocaleString("en-US"),
      String(r.headSegment),
      String(r.documents),
      r.messagesInDocs.toLocaleString("en-US"),
      fmt(r.coldMs),
      fmt(r.warmMs),
      fmt(r.warmHeadMs),
      fmtBytes(r.bytesReceived),
      fmt(r.pageMs),
      fmtBytes(r.pageBytes),
    ]),
    [
      `${o.shortMessages > SHORT_OVER_HTTP ? `short beyond its first ${SHORT_OVER_HTTP} (over HTTP), ` : ""}mid and long seeded by ${seededBy}; HTTP POST probe: ${fmt(httpPostsPerSecond, 0)} msg/s (${HTTP_PROBE_CONCURRENCY} in flight)`,
      `docs = documents the summary lists (head and previous segment, each <= ${SEGMENT_MESSAGES} messages), synced in parallel, one socket each`,
      "cold = first open after a server restart (rooms load from SQLite); bytes in = socket payload received (sync + awareness)",
      `page = GET /messages?limit=${DEFAULT_PAGE_LIMIT} (the first history page)`,
    ],
  );
  const long = rows.find((r) => r.conversation === "long");
  const peers = rows.filter((r) => r !== long);
  if (!long) return;
  const x = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : "–");
  printTable(
    "Long vs shorter (long / other): flat from mid to long is the point",
    ["other", "cold ms", "warm ms", "bytes in", "page ms"],
    peers.map((p) => [
      `${p.conversation} (${p.messages.toLocaleString("en-US")})`,
      x(long.coldMs, p.coldMs),
      x(long.warmMs, p.warmMs),
      x(long.bytesReceived, p.bytesReceived),
      x(long.pageMs, p.pageMs),
    ]),
  );
}
