import { type MessageRecord, SYSTEM_AUTHOR, searchTokens } from "@messenger/shared";
import { describe, expect, it, vi } from "vitest";
import type { CachedHistory } from "./history-cache.js";
import { recordOpenedDoc } from "./local-data.js";
import {
  CORPUS_TTL_MS,
  createLocalSearch,
  type LocalSources,
  loadCorpus,
  persistedSegmentRuns,
  searchCorpus,
} from "./local-search.js";
import { memoryStore } from "./memory-store.js";

const T = Date.parse("2026-03-01T10:00:00Z");
const rec = (id: string, text: string, at: number, extra: Partial<MessageRecord> = {}): MessageRecord => ({
  id,
  author: "bob",
  text,
  createdAt: T + at,
  ...extra,
});

function sources(docs: Record<string, MessageRecord[]>, history: Record<string, CachedHistory>): LocalSources {
  return {
    documents: () => [...Object.keys(docs), "inbox.me"],
    readDocument: vi.fn(async (name: string) => docs[name] ?? []),
    conversationIds: () => Object.keys(history),
    readHistory: vi.fn(async (id: string) => history[id] ?? null),
  };
}

describe("searching what the device holds", () => {
  it("finds messages whose words start with every token, newest first, across conversations", () => {
    const corpus = [
      { conversationId: "c1", records: [rec("a0000001", "Crème brûlée tonight?", 1), rec("a0000002", "no", 2)] },
      { conversationId: "c2", records: [rec("b0000001", "the creme BRULEE was great", 5)] },
    ];
    const found = searchCorpus(corpus, searchTokens("creme bru"));
    expect(found.map((f) => [f.conversationId, f.record.id])).toEqual([
      ["c2", "b0000001"],
      ["c1", "a0000001"],
    ]);
  });

  it("counts a message held by several sources once, as its newest revision, and leaves out deleted ones and system lines", () => {
    const original = rec("a0000001", "meet at the harbour", 1);
    const edited = { ...original, text: "meet at the station", editedAt: T + 9 };
    const corpus = [
      { conversationId: "c1", records: [original, rec("a0000002", "harbour", 2, { deletedAt: T + 3 })] },
      { conversationId: "c1", records: [edited, original] },
      {
        conversationId: "c1",
        records: [rec("a0000003", "Bob renamed the group to harbour", 4, { author: SYSTEM_AUTHOR })],
      },
    ];
    expect(searchCorpus(corpus, searchTokens("harbour"))).toEqual([]);
    expect(searchCorpus(corpus, searchTokens("station")).map((f) => f.record)).toEqual([edited]);
  });

  it("finds nothing for a query without words", () => {
    expect(searchCorpus([{ conversationId: "c1", records: [rec("a0000001", "?!", 1)] }], searchTokens("?!"))).toEqual(
      [],
    );
  });

  it("reads every conversation document the user keeps and the history cache, older pages and jumped-to runs", async () => {
    const src = sources(
      { "conversation.c1.2": [rec("a0000009", "live needle", 9)] },
      {
        c1: {
          records: [rec("a0000005", "older needle", 5)],
          hasMore: true,
          runs: [{ records: [rec("a0000001", "jumped needle", 1)], hasOlder: true, hasNewer: true }],
        },
        c3: { records: [], hasMore: false },
      },
    );
    const corpus = await loadCorpus(src);
    expect(src.readDocument).toHaveBeenCalledTimes(1);
    expect(searchCorpus(corpus, ["needle"]).map((f) => f.record.id)).toEqual(["a0000009", "a0000005", "a0000001"]);
  });

  it("treats a source that cannot be read as empty", async () => {
    const src = sources({ "conversation.c1.0": [] }, {});
    src.readDocument = async () => {
      throw new Error("IndexedDB is gone");
    };
    src.readHistory = async () => {
      throw new Error("IndexedDB is gone");
    };
    expect(await loadCorpus(src)).toEqual([]);
  });

  it("reads the device once while queries keep coming, and again after a while", async () => {
    let now = 0;
    const src = sources({ "conversation.c1.0": [rec("a0000001", "hello there", 1)] }, {});
    const local = createLocalSearch(src, { now: () => now });
    expect((await local.search("hel")).map((f) => f.record.id)).toEqual(["a0000001"]);
    expect(await local.search("there")).toHaveLength(1);
    expect(src.readDocument).toHaveBeenCalledTimes(1);
    now += CORPUS_TTL_MS + 1;
    await local.search("hello");
    expect(src.readDocument).toHaveBeenCalledTimes(2);
    local.forget();
    await local.search("hello");
    expect(src.readDocument).toHaveBeenCalledTimes(3);
  });

  it("offers a conversation's segment documents on this device as runs to open a message from", async () => {
    const store = memoryStore();
    for (const name of ["conversation.c1.1", "conversation.c1.0", "conversation.c2.0", "inbox.me"])
      recordOpenedDoc(store, "me", name);
    const docs: Record<string, MessageRecord[]> = {
      "conversation.c1.1": [rec("a0000003", "b", 3), rec("a0000002", "a", 2)],
      "conversation.c1.0": [],
    };
    const runs = await persistedSegmentRuns("me", "c1", store, async (name) => docs[name] ?? []);
    expect(runs).toEqual([
      { records: [rec("a0000002", "a", 2), rec("a0000003", "b", 3)], hasOlder: true, hasNewer: true },
    ]);
  });
});
