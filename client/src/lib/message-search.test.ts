import type { Message, SearchPage } from "@messenger/shared";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, NETWORK_ERROR } from "./api.js";
import type { FoundMessage } from "./local-search.js";
import { createMessageSearch, groupByConversation, LOCAL_PAGE_SIZE, SEARCH_DEBOUNCE_MS } from "./message-search.js";

vi.mock("solid-js", async () => (await import("solid-js/dist/solid.js" as string)) as typeof import("solid-js"));

const T = Date.parse("2026-03-01T10:00:00Z");
const message = (id: string, conversationId: string, at: number): Message => ({
  id,
  conversationId,
  authorId: "bob",
  text: `needle ${id}`,
  createdAt: T + at,
  editedAt: null,
  deletedAt: null,
  segment: 0,
  replyTo: null,
  reactions: [],
});
const found = (id: string, conversationId: string, at: number): FoundMessage => ({
  conversationId,
  record: { id, author: "bob", text: `needle ${id}`, createdAt: T + at },
});
const page = (messages: Message[], nextCursor: string | null): SearchPage => ({
  results: messages.map((m) => ({ conversationId: m.conversationId, message: m })),
  nextCursor,
});

async function settle() {
  await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS + 1);
}

describe("message search", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("groups hits by conversation, the conversation with the newest hit first", () => {
    const hits = [found("m3", "b", 3), found("m2", "a", 2), found("m1", "b", 1)];
    expect(groupByConversation(hits).map((g) => [g.conversationId, g.hits.map((h) => h.record.id)])).toEqual([
      ["b", ["m3", "m1"]],
      ["a", ["m2"]],
    ]);
  });

  it("asks the server once the typing stops, and pages on with its cursor", async () => {
    const api = {
      search: vi.fn(async (p: { q: string; cursor?: string }) =>
        p.cursor ? page([message("m1", "a", 1)], null) : page([message("m2", "a", 2)], "next"),
      ),
    };
    const local = { search: vi.fn(async () => []) };
    const s = createMessageSearch({ api, local, offline: () => false });
    s.setQuery("ne");
    s.setQuery("needle");
    expect(s.status()).toBe("searching");
    await settle();
    expect(api.search).toHaveBeenCalledTimes(1);
    expect(api.search).toHaveBeenCalledWith({ q: "needle", limit: 20 });
    expect(s.source()).toBe("server");
    expect(s.hits().map((h) => h.record.id)).toEqual(["m2"]);
    expect(s.hasMore()).toBe(true);
    await s.loadMore();
    expect(api.search).toHaveBeenLastCalledWith({ q: "needle", cursor: "next", limit: 20 });
    expect(s.hits().map((h) => h.record.id)).toEqual(["m2", "m1"]);
    expect(s.hasMore()).toBe(false);
    expect(local.search).not.toHaveBeenCalled();
  });

  it("searches the device and says so when the server cannot be reached", async () => {
    const api = {
      search: vi.fn(async () => {
        throw new ApiError(0, NETWORK_ERROR);
      }),
    };
    const local = { search: vi.fn(async () => [found("m1", "a", 1)]) };
    const s = createMessageSearch({ api, local, offline: () => false });
    s.setQuery("needle");
    await settle();
    expect(s.source()).toBe("device");
    expect(s.status()).toBe("done");
    expect(s.hits().map((h) => h.record.id)).toEqual(["m1"]);
  });

  it("searches only the device while the browser is offline, showing a page at a time", async () => {
    const api = { search: vi.fn() };
    const many = Array.from({ length: LOCAL_PAGE_SIZE + 5 }, (_, i) => found(`m${1000 - i}`, "a", 1000 - i));
    const s = createMessageSearch({ api, local: { search: async () => many }, offline: () => true });
    s.setQuery("needle");
    await settle();
    expect(api.search).not.toHaveBeenCalled();
    expect(s.hits()).toHaveLength(LOCAL_PAGE_SIZE);
    expect(s.hasMore()).toBe(true);
    await s.loadMore();
    expect(s.hits()).toHaveLength(LOCAL_PAGE_SIZE + 5);
    expect(s.hasMore()).toBe(false);
  });

  it("reports a server refusal rather than pretending nothing matched", async () => {
    const api = {
      search: vi.fn(async () => {
        throw new ApiError(500, "INTERNAL");
      }),
    };
    const s = createMessageSearch({ api, local: { search: vi.fn(async () => []) }, offline: () => false });
    s.setQuery("needle");
    await settle();
    expect(s.status()).toBe("failed");
    expect(s.error()).toBeInstanceOf(ApiError);
  });

  it("drops the answer to a query the user has since changed or cleared", async () => {
    let answer: (p: SearchPage) => void = () => {};
    const api = { search: vi.fn(() => new Promise<SearchPage>((r) => (answer = r))) };
    const s = createMessageSearch({ api, local: { search: vi.fn(async () => []) }, offline: () => false });
    s.setQuery("needle");
    await settle();
    s.clear();
    answer(page([message("m1", "a", 1)], null));
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status()).toBe("idle");
    expect(s.hits()).toEqual([]);
    expect(s.active()).toBe(false);
  });
});
