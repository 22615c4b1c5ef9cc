import type { Message, MessageRecord, MessagesPage } from "@messenger/shared";
import { describe, expect, it, vi } from "vitest";
import { ApiError, NETWORK_ERROR } from "./api.js";
import { createConversationWindow, runPage, WINDOW_PAGE_SIZE } from "./conversation-window.js";
import { type CachedHistory, withUpdate } from "./history-cache.js";

vi.mock("solid-js", async () => (await import("solid-js/dist/solid.js" as string)) as typeof import("solid-js"));

const T = Date.parse("2026-03-01T10:00:00Z");
const id = (i: number) => `seed-${String(i).padStart(5, "0")}`;
const rec = (i: number): MessageRecord => ({ id: id(i), author: "bob", text: `#${i}`, createdAt: T + i });
const msg = (i: number): Message => ({
  id: id(i),
  conversationId: "c",
  authorId: "bob",
  text: `#${i}`,
  createdAt: T + i,
  editedAt: null,
  deletedAt: null,
  segment: 0,
  replyTo: null,
  reactions: [],
});
const TOTAL = 3000;

/** The server's pages over messages 0..TOTAL-1, as the contract describes them. */
function fakeServer() {
  return {
    messages: vi.fn(
      async (
        _id: string,
        p: { before?: string; after?: string; around?: string; limit?: number } = {},
      ): Promise<MessagesPage> => {
        const limit = p.limit ?? 50;
        const at = (s: string) => Number(s.slice(5));
        let from: number;
        let to: number;
        if (p.around) {
          from = Math.max(0, at(p.around) - limit / 2);
          to = Math.min(TOTAL, at(p.around) + limit / 2 + 1);
        } else if (p.after) {
          from = at(p.after) + 1;
          to = Math.min(TOTAL, from + limit);
        } else {
          to = p.before ? at(p.before) : TOTAL;
          from = Math.max(0, to - limit);
        }
        const messages = Array.from({ length: to - from }, (_, k) => msg(from + k));
        return { messages, hasMore: from > 0, hasNewer: to < TOTAL };
      },
    ),
  };
}

function memoryHistory() {
  const stored = new Map<string, CachedHistory>();
  return {
    stored,
    cache: withUpdate({
      read: async (k) => stored.get(k) ?? null,
      write: async (k, v) => void stored.set(k, v),
      close() {},
    }),
  };
}

describe("a conversation window opened at a message", () => {
  it("pages a cached run before and after a record of it", () => {
    const run = { records: Array.from({ length: 10 }, (_, i) => rec(100 + i)), hasOlder: true, hasNewer: false };
    expect(runPage(run, id(103), "before", 2)).toEqual({ records: [rec(101), rec(102)], more: true });
    expect(runPage(run, id(101), "before", 5)).toEqual({ records: [rec(100)], more: true });
    expect(runPage(run, id(107), "after", 5)).toEqual({ records: [rec(108), rec(109)], more: false });
    expect(runPage(run, id(999), "after", 5)).toBeNull();
  });

  it("loads the page around the message, pages up and down, and keeps what it loaded in the history cache", async () => {
    const api = fakeServer();
    const { cache, stored } = memoryHistory();
    const w = createConversationWindow({ api, id: "c", history: cache, cutOff: () => false });
    expect(await w.open(id(500))).toBe(true);
    expect(api.messages).toHaveBeenCalledWith("c", { around: id(500), limit: WINDOW_PAGE_SIZE });
    expect(w.records()?.map((r) => r.id)).toContain(id(500));
    expect([w.hasOlder(), w.hasNewer()]).toEqual([true, true]);
    const before = w.records()?.length ?? 0;
    await w.loadNewer();
    await w.loadOlder();
    expect(w.records()?.length).toBe(before + 2 * WINDOW_PAGE_SIZE);
    await vi.waitFor(() => expect(stored.get("c")?.runs?.[0]?.records.length).toBe(before + 2 * WINDOW_PAGE_SIZE));
  });

  it("opens offline from the history cache, the whole cached stretch, and says when it cannot", async () => {
    const online = memoryHistory();
    const first = createConversationWindow({ api: fakeServer(), id: "c", history: online.cache, cutOff: () => false });
    await first.open(id(500));
    await vi.waitFor(() => expect(online.stored.get("c")?.runs).toHaveLength(1));

    const offlineApi = {
      messages: vi.fn(async () => {
        throw new ApiError(0, NETWORK_ERROR);
      }),
    };
    const w = createConversationWindow({ api: offlineApi, id: "c", history: online.cache, cutOff: () => false });
    expect(await w.open(id(510))).toBe(true);
    expect(w.records()).toEqual(first.records());
    await w.loadNewer();
    expect(w.error()).toBeInstanceOf(ApiError);
    expect(await w.open(id(2000))).toBe(false);
    expect(w.records()).toEqual(first.records());
  });

  it("hands over what it held and closes", async () => {
    const w = createConversationWindow({ api: fakeServer(), id: "c", cutOff: () => false });
    await w.open(id(2990));
    expect(w.hasNewer()).toBe(false);
    const taken = w.take();
    expect(taken.records.at(-1)?.id).toBe(id(2999));
    expect(taken.hasOlder).toBe(true);
    expect(w.records()).toBeNull();
  });

  it("offline, opens from a segment document on this device when the history cache lacks the message", async () => {
    const offline = {
      messages: vi.fn(async () => {
        throw new ApiError(0, NETWORK_ERROR);
      }),
    };
    const segment = { records: [rec(1000), rec(1001), rec(1002)], hasOlder: true, hasNewer: true };
    const w = createConversationWindow({
      api: offline,
      id: "c",
      history: memoryHistory().cache,
      localRuns: async () => [segment],
      cutOff: () => false,
    });
    expect(await w.open(id(1001))).toBe(true);
    expect(w.records()).toEqual(segment.records);
    expect(await w.open(id(5))).toBe(false);
  });
});
