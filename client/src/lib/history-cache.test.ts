import type { MessageRecord } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { MAX_CACHED_OLDER, pageFromCache, toCache } from "./history-cache.js";

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
