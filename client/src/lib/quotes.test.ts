import type { MessageRecord } from "@messenger/shared";
import { createRoot, createSignal } from "solid-js";
import { describe, expect, it } from "vitest";
import { ApiError } from "./api.js";
import { createQuotes, fetchOriginal, quoteOf } from "./quotes.js";

const T0 = Date.UTC(2026, 0, 1);
const rec = (id: string, text: string, extra: Partial<MessageRecord> = {}): MessageRecord => ({
  id,
  author: "bob",
  text,
  createdAt: T0,
  ...extra,
});
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("reply quotes", () => {
  it("shows a preview of the original, cut with an ellipsis when long", () => {
    expect(quoteOf(rec("m0000001", "lunch?"))).toEqual({
      state: "found",
      id: "m0000001",
      authorId: "bob",
      text: "lunch?",
    });
    const long = quoteOf(rec("m0000001", "x".repeat(500)));
    expect(long.state === "found" && long.text.length).toBe(140);
    expect(long.state === "found" && long.text.endsWith("…")).toBe(true);
  });

  it("says the original was deleted when it was, never its old text", () => {
    expect(quoteOf(rec("m0000001", "", { deletedAt: T0 + 1 }))).toEqual({
      state: "deleted",
      id: "m0000001",
      authorId: "bob",
    });
  });

  it("follows the timeline's copy of the original, so an edit shows in the quote", () => {
    createRoot((dispose) => {
      const [records, setRecords] = createSignal([rec("m0000001", "lunch?")]);
      const quotes = createQuotes({
        local: (id) => records().find((r) => r.id === id),
        fetch: () => Promise.reject(new Error("not needed")),
      });
      expect(quotes.quote("m0000001")).toMatchObject({ text: "lunch?" });
      setRecords([rec("m0000001", "dinner?", { editedAt: T0 + 5 })]);
      expect(quotes.quote("m0000001")).toMatchObject({ text: "dinner?" });
      dispose();
    });
  });

  it("fetches an original the timeline lacks once, and says unavailable when it cannot be had", async () => {
    const asked: string[] = [];
    const quotes = createRoot(() =>
      createQuotes({
        local: () => undefined,
        fetch: async (id) => {
          asked.push(id);
          if (id === "m-offline-1") throw new Error("offline");
          return id === "m-gone-0001" ? null : rec(id, "from the server");
        },
      }),
    );
    expect(quotes.quote("m-far-00001")).toEqual({ state: "loading", id: "m-far-00001" });
    expect(quotes.quote("m-far-00001").state).toBe("loading");
    await settle();
    expect(quotes.quote("m-far-00001")).toMatchObject({ state: "found", text: "from the server" });
    quotes.quote("m-gone-0001");
    quotes.quote("m-offline-1");
    await settle();
    expect(quotes.quote("m-gone-0001").state).toBe("unavailable");
    expect(quotes.quote("m-offline-1").state).toBe("unavailable");
    expect(asked).toEqual(["m-far-00001", "m-gone-0001", "m-offline-1"]);
    quotes.retry();
    quotes.quote("m-offline-1");
    await settle();
    expect(asked).toEqual(["m-far-00001", "m-gone-0001", "m-offline-1", "m-offline-1"]);
  });
});

describe("fetching an original", () => {
  const message = {
    conversationId: "c1",
    authorId: "bob",
    editedAt: null,
    deletedAt: null,
    segment: 0,
    replyTo: null,
    reactions: [],
  };
  it("asks for the one-message page around it and reads the record from it", async () => {
    const asked: unknown[] = [];
    const api = {
      messages: async (id: string, params?: object) => {
        asked.push([id, params]);
        return {
          messages: [{ ...message, id: "m-orig-0001", text: "lunch?", createdAt: T0 }],
          hasMore: true,
          hasNewer: true,
        };
      },
    };
    expect(await fetchOriginal(api, "c1")("m-orig-0001")).toEqual({
      id: "m-orig-0001",
      author: "bob",
      text: "lunch?",
      createdAt: T0,
    });
    expect(asked).toEqual([["c1", { around: "m-orig-0001", limit: 1 }]]);
  });

  it("answers null for an original the server does not have, and fails when it cannot be reached", async () => {
    const gone = { messages: async () => Promise.reject(new ApiError(404, "NOT_FOUND")) };
    expect(await fetchOriginal(gone, "c1")("m-gone-0001")).toBeNull();
    const offline = { messages: async () => Promise.reject(new ApiError(0, "NETWORK_ERROR")) };
    await expect(fetchOriginal(offline, "c1")("m-far-00001")).rejects.toThrow("NETWORK_ERROR");
  });
});
