import { describe, expect, it } from "vitest";
import { docsToDeliver, mergeWrite, type OutboxEntry, outboxPreview } from "./outbox.js";

const entry = (over: Partial<OutboxEntry> = {}): OutboxEntry => ({
  id: "m1aaaaaaaa",
  conversationId: "c1",
  docName: "conversation.c1.0",
  kind: "message",
  text: "hello",
  createdAt: 1_000,
  ...over,
});

describe("mergeWrite", () => {
  it("keeps an unsent message new when it is edited, with the latest text and its original createdAt", () => {
    const merged = mergeWrite(entry(), entry({ kind: "edit", text: "hello!", createdAt: 1_000 }));
    expect(merged).toMatchObject({ kind: "message", text: "hello!", createdAt: 1_000 });
  });

  it("turns an unsent message that is deleted into a delete, so it is never posted over HTTP", () => {
    expect(mergeWrite(entry(), entry({ kind: "delete", text: "" }))).toMatchObject({ kind: "delete", text: "" });
  });

  it("keeps a delete a delete", () => {
    expect(mergeWrite(entry({ kind: "delete", text: "" }), entry({ kind: "edit", text: "x" }))).toMatchObject({
      kind: "delete",
    });
  });

  it("replaces a failed entry with the new write, without the failure", () => {
    const merged = mergeWrite(entry({ failed: "write-rejected" }), entry({ kind: "edit", text: "again" }));
    expect(merged).toEqual(entry({ kind: "edit", text: "again" }));
  });
});

describe("docsToDeliver", () => {
  it("lists documents with unconfirmed entries or pending ids, once each, never failed ones", () => {
    const entries = [
      entry(),
      entry({ id: "m2aaaaaaaa" }),
      entry({ id: "m3aaaaaaaa", docName: "conversation.c2.0", failed: "forbidden" }),
    ];
    expect(docsToDeliver(entries, ["conversation.c3.1", "conversation.c1.0"])).toEqual([
      "conversation.c1.0",
      "conversation.c3.1",
    ]);
  });
});

describe("outboxPreview", () => {
  it("shows my newest unsent message as sending when it is newer than the last message", () => {
    const entries = [entry({ id: "old1aaaaaa", createdAt: 1_000 }), entry({ id: "new1aaaaaa", createdAt: 3_000 })];
    expect(outboxPreview(entries, "c1", { id: "theirsaaaa", createdAt: 2_000 })).toEqual({
      state: "sending",
      message: { text: "hello", createdAt: 3_000 },
    });
  });

  it("still says sending, with the server's preview, when only an edit or an older message is unsent", () => {
    const entries = [entry({ createdAt: 1_000 }), entry({ id: "m2aaaaaaaa", kind: "edit", createdAt: 5_000 })];
    expect(outboxPreview(entries, "c1", { id: "theirsaaaa", createdAt: 2_000 })).toEqual({
      state: "sending",
      message: null,
    });
  });

  it("shows a failure before anything else", () => {
    const entries = [entry({ failed: "write-rejected" }), entry({ id: "m2aaaaaaaa", createdAt: 9_000 })];
    expect(outboxPreview(entries, "c1", null)?.state).toBe("failed");
  });

  it("is null for a conversation with nothing unsent", () => {
    expect(outboxPreview([entry()], "c2", null)).toBeNull();
  });
});
