/**
 * `--only=search`: message search, on the server and on a device.
 *
 * Server: one user with a 100,000-message conversation and 20 smaller ones (plus
 * conversations they are not in), seeded through the store's commit path (`tx.indexMessages`,
 * what the relay's commit writes: message rows and their search index, 1,000 a transaction),
 * on SQLite and on PostgreSQL. Timed: the store method `conversations.search` (what
 * GET /api/search calls, without HTTP and auth), first page of 20, for rare words, common
 * words, prefixes and several words.
 *
 * Device: what a device holds (5,000 cached history + 2,000 live records per conversation,
 * 4 conversations), searched as the client's offline search does (client/src/lib/local-search.ts:
 * the shared `wordIndex` built once per corpus, then `searchWordIndex` for every hit, newest
 * first), beside `matchesTokens` folding every text on every search and stopping at 20 hits.
 * Figures are printed, never asserted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type MessageRecord, matchesTokens, searchTokens, searchWordIndex, wordIndex } from "@messenger/shared";
import type Database from "better-sqlite3";
import type pg from "pg";
import { systemClock } from "../../sync-server/src/clock.js";
import { openPostgresStore } from "../../sync-server/src/store/postgres/postgres-store.js";
import { openSqliteStore } from "../../sync-server/src/store/sqlite/sqlite-store.js";
import { createTestDatabase } from "../../sync-server/src/store/testing.js";
import type { Store } from "../../sync-server/src/store/types.js";
import { fmt, summarize } from "./lib/stats.js";
import { printTable } from "./lib/table.js";

export interface SearchBenchOptions {
  longMessages: number;
  otherConversations: number;
  otherMessages: number;
  runs: number;
  deviceConversations: number;
  deviceRecordsPerConversation: number;
}

export const SEARCH_QUICK: Partial<SearchBenchOptions> = { longMessages: 10_000, otherMessages: 200, runs: 20 };
const DEFAULTS: SearchBenchOptions = {
  longMessages: 100_000,
  otherConversations: 20,
  otherMessages: 1_000,
  runs: 60,
  deviceConversations: 4,
  deviceRecordsPerConversation: 7_000,
};
const PAGE = 20;
const CHUNK = 1_000;
const ME = "bench-me";

/** Common words first: word i is drawn with weight 1 / (i + 1) (Zipf). */
const VOCABULARY = (
  "the to and a of you i it is that in for on we this be at with meeting tomorrow project " +
  "lunch call today review draft deploy release café résumé naïve über problem progress promise " +
  "weekend office budget customer ticket report update plan idea photo music travel dinner coffee"
).split(" ");
/** Words only a few messages hold: about RARE_HITS messages of the long conversation get one. */
const RARE = ["xylophone", "quixotic", "zeppelin", "marmalade"];
const RARE_HITS = 12;

const QUERIES: Array<[kind: string, q: string]> = [
  ["rare", "xylophone"],
  ["rare", "Zeppelin"],
  ["common", "the"],
  ["common", "meeting"],
  ["prefix", "pro"],
  ["prefix", "mee"],
  ["prefix", "caf"],
  ["several words", "meeting tomorrow"],
  ["several words", "the project review"],
  ["several words", "lunch xylophone"],
];

function corpus(seed: number, rareEvery: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const harmonic = VOCABULARY.reduce((s, _, i) => s + 1 / (i + 1), 0);
  const word = () => {
    let x = next() * harmonic;
    for (let i = 0; i < VOCABULARY.length; i++) {
      x -= 1 / (i + 1);
      if (x <= 0) return VOCABULARY[i] as string;
    }
    return VOCABULARY[0] as string;
  };
  let n = 0;
  return () => {
    const words = Array.from({ length: 4 + Math.floor(next() * 12) }, word);
    if (++n % rareEvery === 0) words.splice(2, 0, RARE[(n / rareEvery) % RARE.length] as string);
    return `${words.join(" ")}.`;
  };
}

async function seed(store: Store, o: SearchBenchOptions): Promise<number> {
  const text = corpus(7, Math.floor(o.longMessages / RARE_HITS));
  const t0 = performance.now();
  const start = Date.now() - (o.longMessages + 10) * 60_000;
  const fill = async (conversationId: string, count: number, author: string) => {
    for (let i = 0; i < count; i += CHUNK) {
      const records: MessageRecord[] = Array.from({ length: Math.min(CHUNK, count - i) }, (_, k) => ({
        id: `${conversationId.slice(0, 8)}-${String(i + k).padStart(8, "0")}`,
        author: (i + k) % 3 === 0 ? ME : author,
        text: text(),
        createdAt: start + (i + k) * 60_000,
      }));
      await store.transaction((tx) => tx.indexMessages(conversationId, Math.floor(i / 1000), records));
    }
  };
  await fill(
    (await store.conversations.getOrCreateDirect(ME, "bench-long")).conversation.id,
    o.longMessages,
    "bench-long",
  );
  for (let c = 0; c < o.otherConversations; c++) {
    const mine = await store.conversations.getOrCreateDirect(ME, `bench-friend-${c}`);
    await fill(mine.conversation.id, o.otherMessages, `bench-friend-${c}`);
    // Conversations the user is not in: their hits must be skipped, not shown.
    const theirs = await store.conversations.getOrCreateDirect(`bench-friend-${c}`, `bench-stranger-${c}`);
    await fill(theirs.conversation.id, o.otherMessages, `bench-stranger-${c}`);
  }
  return performance.now() - t0;
}

async function analyze(store: Store) {
  if (store.kind === "postgres")
    await (store.authDatabase as pg.Pool).query("ANALYZE message; ANALYZE conversation_member");
  else (store.authDatabase as Database.Database).exec("PRAGMA optimize");
}

async function timeServer(store: Store, runs: number) {
  const rows: string[][] = [];
  for (const [kind, q] of QUERIES) {
    const tokens = searchTokens(q);
    const first = await store.conversations.search(ME, tokens, null, PAGE);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await store.conversations.search(ME, tokens, null, PAGE);
      samples.push(performance.now() - t0);
    }
    const s = summarize(samples);
    rows.push([kind, JSON.stringify(q), String(first.messages.length), fmt(s.p50, 2), fmt(s.p99, 2)]);
  }
  return rows;
}

function timeDevice(o: SearchBenchOptions, runs: number) {
  const text = corpus(11, Math.floor(o.deviceRecordsPerConversation / 3));
  // Newest first, as a device would walk what it holds.
  const held: string[] = Array.from({ length: o.deviceConversations * o.deviceRecordsPerConversation }, text);
  // What the client builds once per corpus (and keeps while the user types).
  const built = performance.now();
  const index = wordIndex(held, (t) => t);
  const buildMs = performance.now() - built;
  const time = (fn: () => number) => {
    const samples: number[] = [];
    let hits = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      hits = fn();
      samples.push(performance.now() - t0);
    }
    return { hits, s: summarize(samples) };
  };
  const rows: string[][] = [];
  for (const [kind, q] of QUERIES) {
    const tokens = searchTokens(q);
    const plain = time(() => {
      let hits = 0;
      for (const t of held) if (matchesTokens(t, tokens) && ++hits === PAGE) break;
      return hits;
    });
    const client = time(() => searchWordIndex(index, tokens).length);
    rows.push([
      kind,
      JSON.stringify(q),
      String(plain.hits),
      fmt(plain.s.p50, 2),
      fmt(plain.s.p99, 2),
      String(client.hits),
      fmt(client.s.p50, 2),
      fmt(client.s.p99, 2),
    ]);
  }
  return { rows, buildMs };
}

export async function searchBench(args: { postgres: boolean; options?: Partial<SearchBenchOptions> }) {
  const o = { ...DEFAULTS, ...args.options };
  const header = ["query", "q", "hits", "p50 ms", "p99 ms"];
  const results: Record<string, unknown> = {};
  const stores: Array<[string, () => Promise<{ store: Store; remove: () => Promise<void> }>]> = [
    [
      "SQLite",
      async () => {
        const dataDir = mkdtempSync(path.join(os.tmpdir(), "messenger-search-bench-"));
        const databasePath = path.join(dataDir, "messenger.sqlite");
        const store = await openSqliteStore({ dataDir, databasePath, clock: systemClock });
        return { store, remove: async () => rmSync(dataDir, { recursive: true, force: true }) };
      },
    ],
  ];
  if (args.postgres)
    stores.push([
      "PostgreSQL",
      async () => {
        const database = await createTestDatabase();
        const store = await openPostgresStore({ url: database.url, clock: systemClock });
        return { store, remove: database.drop };
      },
    ]);
  const total = o.longMessages + 2 * o.otherConversations * o.otherMessages;
  for (const [name, open] of stores) {
    let opened: Awaited<ReturnType<typeof open>> | undefined;
    try {
      opened = await open();
      const seedMs = await seed(opened.store, o);
      // Statistics as autovacuum / PRAGMA optimize would leave them: without them PostgreSQL
      // walks the user's conversations instead of the GIN index (10-20 ms for a word no one wrote).
      await analyze(opened.store);
      const rows = await timeServer(opened.store, o.runs);
      printTable(
        `Server search on ${name}: store.conversations.search, first page of ${PAGE}, ${o.runs} runs each`,
        header,
        rows,
        [
          `${total.toLocaleString("en-US")} messages: one conversation of ${o.longMessages.toLocaleString("en-US")}, ${o.otherConversations} of ${o.otherMessages} with the user, ${o.otherConversations} of ${o.otherMessages} without`,
          `seeded in ${fmt(seedMs / 1000, 1)} s through tx.indexMessages (${CHUNK} a transaction), then ${opened.store.kind === "postgres" ? "ANALYZE" : "PRAGMA optimize"}`,
        ],
      );
      results[name] = { seedMs, rows };
    } catch (e) {
      console.log(`\nServer search on ${name}: skipped: ${(e as Error).message}`);
      results[name] = { skipped: (e as Error).message };
    } finally {
      await opened?.store.close();
      await opened?.remove();
    }
  }
  const device = timeDevice(o, o.runs);
  printTable(
    `Local search on a device: ${(o.deviceConversations * o.deviceRecordsPerConversation).toLocaleString("en-US")} records, newest first`,
    [
      "query",
      "q",
      "hits (stop at 20)",
      "fold each time p50",
      "p99",
      "client: all hits",
      "client p50 ms",
      "client p99 ms",
    ],
    device.rows,
    [
      `${o.deviceConversations} conversations x (5,000 cached history + 2,000 live)`,
      "fold each time: matchesTokens on every text, stopping at 20 hits",
      `client: local-search.ts's searchWordIndex over a wordIndex built once per corpus (built in ${fmt(device.buildMs, 0)} ms), every hit`,
    ],
  );
  results.device = device;
  return results;
}
