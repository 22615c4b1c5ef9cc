import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { addMessage, deleteMessage, editMessage, listMessages, messageRecordProblem, newMessageId } from "./schema.js";

const T = Date.parse("2026-11-26T10:00:00Z");

describe("message schema helpers", () => {
  it("adds a message once even when the same id is written twice", () => {
    const doc = new Y.Doc();
    const id = newMessageId();
    addMessage(doc, { id, author: "alice", text: "hi", createdAt: T });
    addMessage(doc, { id, author: "alice", text: "hi again", createdAt: T + 1 });
    expect(listMessages(doc)).toEqual([{ id, author: "alice", text: "hi", createdAt: T }]);
  });

  it("lists messages oldest first with ties broken by id", () => {
    const doc = new Y.Doc();
    addMessage(doc, { id: "bbbbbbbb", author: "a", text: "2", createdAt: T });
    addMessage(doc, { id: "aaaaaaaa", author: "a", text: "1", createdAt: T });
    addMessage(doc, { id: "cccccccc", author: "a", text: "0", createdAt: T - 1 });
    expect(listMessages(doc).map((m) => m.id)).toEqual(["cccccccc", "aaaaaaaa", "bbbbbbbb"]);
  });

  it("lets only the author edit or delete, leaving a tombstone on delete", () => {
    const doc = new Y.Doc();
    addMessage(doc, { id: "msg00001", author: "alice", text: "hello", createdAt: T });
    expect(editMessage(doc, "msg00001", "bob", "hacked", T + 1)).toBe(false);
    expect(editMessage(doc, "msg00001", "alice", "hello!", T + 1)).toBe(true);
    expect(deleteMessage(doc, "msg00001", "bob", T + 2)).toBe(false);
    expect(deleteMessage(doc, "msg00001", "alice", T + 2)).toBe(true);
    expect(listMessages(doc)).toEqual([{ id: "msg00001", author: "alice", text: "", createdAt: T, deletedAt: T + 2 }]);
    expect(editMessage(doc, "msg00001", "alice", "back", T + 3)).toBe(false);
  });

  it("describes what is wrong with an invalid record", () => {
    const ok = { id: "msg00001", author: "alice", text: "x", createdAt: T };
    expect(messageRecordProblem(ok)).toBeNull();
    expect(messageRecordProblem({ ...ok, extra: 1 })).toBe("unknown field extra");
    expect(messageRecordProblem({ ...ok, id: "short" })).toBe("bad id");
    expect(messageRecordProblem({ ...ok, text: "   " })).toBe("empty text");
    expect(messageRecordProblem({ ...ok, text: "x".repeat(4001) })).toBe("bad text");
    expect(messageRecordProblem({ ...ok, createdAt: 12 })).toBe("bad createdAt");
    expect(messageRecordProblem({ ...ok, deletedAt: T })).toBe("deleted message keeps text");
    expect(messageRecordProblem([ok])).toBe("not an object");
    expect(messageRecordProblem(null)).toBe("not an object");
  });

  it("mints distinct 32-character message ids", () => {
    const ids = new Set(Array.from({ length: 1000 }, newMessageId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});
