import { describe, expect, it } from "vitest";
import { conversationDocName, inboxDocName, parseDocName } from "./names.js";

describe("document names", () => {
  it("round-trips a conversation segment name", () => {
    expect(parseDocName(conversationDocName("abc_DEF-1", 12))).toEqual({
      kind: "conversation",
      conversationId: "abc_DEF-1",
      segment: 12,
    });
  });

  it("round-trips an inbox name", () => {
    expect(parseDocName(inboxDocName("u1"))).toEqual({ kind: "inbox", userId: "u1" });
  });

  it.each([
    "",
    "conversation",
    "conversation.abc",
    "conversation.abc.-1",
    "conversation.abc.01",
    "conversation.abc.1.2",
    "conversation.a/b.1",
    "conversation..1",
    "inbox.",
    "inbox.a.b",
    "other.abc",
    `inbox.${"x".repeat(200)}`,
    "conversation.abc.1e3",
  ])("rejects the malformed name %j", (name) => {
    expect(parseDocName(name)).toBeNull();
  });

  it("refuses to build a name from an id with unsafe characters", () => {
    expect(() => conversationDocName("a.b", 0)).toThrow(TypeError);
    expect(() => inboxDocName("../x")).toThrow(TypeError);
    expect(() => conversationDocName("abc", -1)).toThrow(TypeError);
  });
});
