import { describe, expect, it } from "vitest";
import { liveDocuments, MIN_HEAD_MESSAGES, timelineState, typingUsers } from "./conversation.js";

describe("liveDocuments", () => {
  const docs = ["conversation.c.2", "conversation.c.1", "conversation.c.0"];

  it("opens only the head segment when it has enough messages", () => {
    expect(liveDocuments(docs, MIN_HEAD_MESSAGES)).toEqual(["conversation.c.2"]);
  });

  it("also opens the previous segment while the head is nearly empty", () => {
    expect(liveDocuments(docs, 3)).toEqual(["conversation.c.2", "conversation.c.1"]);
  });

  it("opens nothing without documents", () => {
    expect(liveDocuments([], 0)).toEqual([]);
  });
});

describe("typingUsers", () => {
  const NOW = 1_700_000_000_000;

  it("lists other users who typed within the timeout", () => {
    const states = [
      { user: { id: "bob", name: "Bob" }, typingAt: NOW - 1000 },
      { user: { id: "me", name: "Me" }, typingAt: NOW },
      { user: { id: "cat", name: "Cat" }, typingAt: NOW - 60_000 },
      { user: { id: "dan", name: "Dan" }, typingAt: null },
      undefined,
      { typingAt: NOW },
    ];
    expect(typingUsers(states, "me", NOW)).toEqual(["bob"]);
  });

  it("counts a user with two tabs once", () => {
    const bob = { user: { id: "bob", name: "Bob" }, typingAt: NOW };
    expect(typingUsers([bob, { ...bob }], "me", NOW)).toEqual(["bob"]);
  });
});

describe("timelineState", () => {
  const base = {
    messageCount: 0,
    settled: false,
    localLoaded: true,
    olderMayExist: false,
    knownEmpty: false,
    cutOff: false,
  };

  it("is loading, not empty, while an empty local copy waits for its first sync", () => {
    expect(timelineState(base)).toBe("loading");
    expect(timelineState({ ...base, localLoaded: false, knownEmpty: true })).toBe("loading");
  });

  it("is unavailable offline when nothing is cached of a conversation that has messages", () => {
    expect(timelineState({ ...base, cutOff: true })).toBe("unavailable");
    expect(timelineState({ ...base, cutOff: true, knownEmpty: undefined })).toBe("unavailable");
    expect(timelineState({ ...base, cutOff: true, olderMayExist: true })).toBe("unavailable");
  });

  it("is empty once the relay answered with nothing, or offline when the conversation is known to have none", () => {
    expect(timelineState({ ...base, settled: true })).toBe("empty");
    expect(timelineState({ ...base, cutOff: true, knownEmpty: true })).toBe("empty");
  });

  it("waits for older pages before calling a conversation empty", () => {
    expect(timelineState({ ...base, settled: true, olderMayExist: true })).toBe("loading");
  });

  it("shows messages whenever there are some", () => {
    expect(timelineState({ ...base, messageCount: 3, cutOff: true })).toBe("messages");
  });
});
