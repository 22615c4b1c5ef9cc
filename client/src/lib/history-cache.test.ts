import type { MessageRecord } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import {
  type CachedHistory,
  MAX_CACHED_OLDER,
  MAX_CACHED_RUN_RECORDS,
  MAX_CACHED_RUNS,
  pageFromCache,
  runWith,
  toCache,
  withOlder,
  withRun,
  withUpdate,
} from "./history-cache.js";

const T = Date.parse("2026-11-20T10:00:00Z");
const rec = (i: number): MessageRecord => ({
  id: `m${String(i).padStart(7, "0")}`,
  author: "a",
  text: `#${i}`,
  createdAt: T + i,
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => rec(from + k));

describe("older history cache", () => {
  it("serves the page a fetch would have returned, older than the given message", () => {
    const cached = { records: range(0, 10), hasMore: false };
    expect(pageFromCache(cached, rec(6), 3)).toEqual({ records: range(3, 6), hasMore: true });
    expect(pageFromCache(cached, rec(3), 5)).toEqual({ records: range(0, 3), hasMore: false });
  });

  it("serves the newest cached page when nothing is loaded yet", () => {
    expect(pageFromCache({ records: range(0, 10), hasMore: true }, undefined, 4)).toEqual({
      records: range(6, 10),
      hasMore: true,
    });
  });

  it("continues from a live message that is not in the cache itself", () => {
    // The oldest message on screen comes from a live segment; the cache holds what is older.
    expect(pageFromCache({ records: range(0, 10), hasMore: false }, rec(50), 4)).toEqual({
      records: range(6, 10),
      hasMore: true,
    });
  });

  it("keeps only the newest older messages, and remembers that more exist", () => {
    const stored = toCache(range(0, MAX_CACHED_OLDER + 10), false);
    expect(stored.records).toHaveLength(MAX_CACHED_OLDER);
    expect(stored.records[0]).toEqual(rec(10));
    expect(stored.hasMore).toBe(true);
  });
});

describe("stretches opened at a message (runs)", () => {
  const run = (from: number, to: number, hasOlder = true, hasNewer = true) => ({
    records: range(from, to),
    hasOlder,
    hasNewer,
  });

  it("keeps a run beside the older history, and an older page keeps the runs", () => {
    const cached = withRun({ records: range(900, 1000), hasMore: true }, run(100, 150));
    expect(cached.records).toEqual(range(900, 1000));
    expect(cached.runs).toEqual([run(100, 150)]);
    expect(withOlder(cached, range(800, 1000), true).runs).toEqual([run(100, 150)]);
    expect(withOlder(null, range(800, 1000), true).runs).toEqual([]);
  });

  it("joins a run with the runs it overlaps, with the outer edges' flags, and puts it first", () => {
    let cached: CachedHistory = withRun(null, run(100, 150, true, true));
    cached = withRun(cached, run(500, 520));
    cached = withRun(cached, run(140, 200, true, false));
    expect(cached.runs).toEqual([run(100, 200, true, false), run(500, 520)]);
  });

  it("takes the newer revision of a record when a run brings it again", () => {
    const edited = { ...rec(120), text: "edited", editedAt: T + 10_000 };
    const cached = withRun(withRun(null, run(100, 150)), { records: [edited], hasOlder: true, hasNewer: true });
    expect(cached.runs?.[0]?.records.find((r) => r.id === edited.id)).toEqual(edited);
    expect(cached.runs).toHaveLength(1);
  });

  it("drops the least recently opened runs beyond the bounds, and cuts a run that alone is too long", () => {
    let cached: CachedHistory | null = null;
    for (let i = 0; i < MAX_CACHED_RUNS + 2; i++) cached = withRun(cached, run(i * 100, i * 100 + 10));
    expect(cached?.runs).toHaveLength(MAX_CACHED_RUNS);
    expect(cached?.runs?.[0]?.records[0]).toEqual(rec((MAX_CACHED_RUNS + 1) * 100));
    const long = withRun(cached, run(0, MAX_CACHED_RUN_RECORDS + 50, false, false));
    expect(long.runs).toHaveLength(1);
    expect(long.runs?.[0]?.records).toHaveLength(MAX_CACHED_RUN_RECORDS);
    expect(long.runs?.[0]?.records[0]).toEqual(rec(50));
    expect(long.runs?.[0]?.hasOlder).toBe(true);
  });

  it("finds the stretch that holds a message: the older history reaches the live segments, a run has its flags", () => {
    const cached = withRun({ records: range(900, 1000), hasMore: true }, run(100, 150, true, true));
    expect(runWith(cached, rec(950).id)).toEqual({ records: range(900, 1000), hasOlder: true, hasNewer: false });
    expect(runWith(cached, rec(120).id)).toEqual(run(100, 150));
    expect(runWith(cached, rec(300).id)).toBeNull();
    expect(runWith(null, rec(300).id)).toBeNull();
  });

  it("updates one conversation one change at a time, each seeing the one before", async () => {
    const stored = new Map<string, CachedHistory>();
    const cache = withUpdate({
      read: async (id) => stored.get(id) ?? null,
      write: async (id, value) => {
        await new Promise((r) => setTimeout(r, 1));
        stored.set(id, value);
      },
      close() {},
    });
    await Promise.all([
      cache.update("c", (c) => withRun(c, run(0, 5))),
      cache.update("c", (c) => withRun(c, run(50, 55))),
    ]);
    expect(stored.get("c")?.runs).toEqual([run(50, 55), run(0, 5)]);
  });
});
