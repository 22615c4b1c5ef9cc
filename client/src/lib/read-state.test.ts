import type { ConversationSummary } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { isUnread, titleWithUnread, withBaseline, withRead } from "./read-state.js";

const conv = (id: string, last: { authorId: string; createdAt: number; deleted?: boolean } | null) =>
  ({
    id,
    kind: "direct",
    name: null,
    adminIds: [],
    receipts: [],
    memberIds: ["me", "them"],
    headSegment: 0,
    documents: [],
    lastMessage: last ? { id: `m-${id}`, text: "hi", deleted: false, ...last } : null,
    lastActivityAt: last?.createdAt ?? 0,
    createdAt: 0,
  }) as ConversationSummary;

describe("read state", () => {
  it("starts a new browser with everything read, then lights a conversation up for a newer message from them", () => {
    const old = conv("a", { authorId: "them", createdAt: 100 });
    const marks = withBaseline({}, [old]);
    expect(isUnread(old, "me", marks)).toBe(false);
    expect(isUnread(conv("a", { authorId: "them", createdAt: 200 }), "me", marks)).toBe(true);
  });

  it("counts a conversation that appears later, with a message from them, as unread", () => {
    const marks = withBaseline({}, [conv("a", { authorId: "them", createdAt: 100 })]);
    expect(isUnread(conv("new", { authorId: "them", createdAt: 50 }), "me", marks)).toBe(true);
  });

  it("never counts my own or deleted messages, or an empty conversation, as unread", () => {
    const marks = { a: 100, b: 100, c: 100 };
    expect(isUnread(conv("a", { authorId: "me", createdAt: 200 }), "me", marks)).toBe(false);
    expect(isUnread(conv("b", { authorId: "them", createdAt: 200, deleted: true }), "me", marks)).toBe(false);
    expect(isUnread(conv("c", null), "me", marks)).toBe(false);
  });

  it("clears on reading and never moves a mark backwards", () => {
    const newer = conv("a", { authorId: "them", createdAt: 200 });
    const read = withRead({ a: 100 }, newer);
    expect(isUnread(newer, "me", read)).toBe(false);
    expect(withRead(read, conv("a", { authorId: "them", createdAt: 150 }))).toBe(read);
  });

  it("keeps the same marks object when nothing is new, so nothing re-renders", () => {
    const marks = { a: 100 };
    expect(withBaseline(marks, [conv("a", { authorId: "them", createdAt: 300 })])).toBe(marks);
  });

  it("puts the unread count in the title", () => {
    expect(titleWithUnread("Messenger", 0)).toBe("Messenger");
    expect(titleWithUnread("Bob Baker · Messenger", 3)).toBe("(3) Bob Baker · Messenger");
  });
});
