import type { ConversationSummary } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { activeConversations, byNewestActivity, peerId } from "./active.js";

const HOUR = 3_600_000;
// 2024-05-15 10:30 UTC.
const NOW = Date.UTC(2024, 4, 15, 10, 30);

function conv(id: string, lastActivityAt: number, withMessage = true): ConversationSummary {
  return {
    id,
    kind: "direct",
    name: null,
    adminIds: [],
    receipts: [],
    memberIds: ["me", `peer-${id}`],
    headSegment: 0,
    documents: [`conversation.${id}.0`],
    lastMessage: withMessage
      ? { id: `m-${id}-aaaa`, authorId: "me", text: "hi", createdAt: lastActivityAt, deleted: false }
      : null,
    lastActivityAt,
    createdAt: lastActivityAt - HOUR,
  };
}

describe("activeConversations", () => {
  it("keeps conversations with a message today, newest first", () => {
    const list = [conv("a", NOW - 9 * HOUR), conv("b", NOW - 2 * HOUR), conv("c", NOW - 11 * HOUR)];
    expect(activeConversations(list, NOW, "UTC").map((c) => c.id)).toEqual(["b", "a"]);
  });

  it("keeps a message from late yesterday while it is under an hour old", () => {
    const justAfterMidnight = Date.UTC(2024, 4, 15, 0, 20);
    const list = [conv("a", justAfterMidnight - 30 * 60_000)];
    expect(activeConversations(list, justAfterMidnight, "UTC")).toHaveLength(1);
    expect(activeConversations(list, justAfterMidnight + HOUR, "UTC")).toHaveLength(0);
  });

  it("drops a conversation once the clock passes midnight and the hour", () => {
    const list = [conv("a", Date.UTC(2024, 4, 15, 22, 0))];
    const nextMorning = Date.UTC(2024, 4, 16, 8, 0);
    expect(activeConversations(list, Date.UTC(2024, 4, 15, 23, 0), "UTC")).toHaveLength(1);
    expect(activeConversations(list, nextMorning, "UTC")).toHaveLength(0);
  });

  it("decides today in the viewer's time zone", () => {
    const list = [conv("a", Date.UTC(2024, 4, 15, 3, 0))]; // May 14, 23:00 in New York
    expect(activeConversations(list, NOW, "UTC")).toHaveLength(1);
    expect(activeConversations(list, NOW, "America/New_York")).toHaveLength(0);
  });

  it("judges by the last message, not by when the conversation was created", () => {
    const old = {
      ...conv("a", NOW - 60_000),
      lastMessage: { id: "m-old-aaaa", authorId: "x", text: "hi", createdAt: NOW - 5 * 24 * HOUR, deleted: false },
    };
    expect(activeConversations([old], NOW, "UTC")).toEqual([]);
  });

  it("never lists a conversation without messages", () => {
    expect(activeConversations([conv("a", NOW - 60_000, false)], NOW, "UTC")).toEqual([]);
  });
});

describe("byNewestActivity", () => {
  it("sorts by last activity, newest first", () => {
    expect(byNewestActivity([conv("a", 1), conv("b", 3), conv("c", 2)]).map((c) => c.id)).toEqual(["b", "c", "a"]);
  });

  it("sorts by the last message's time when the conversation was created after it", () => {
    const recreated = {
      ...conv("a", NOW),
      lastMessage: { id: "m-a-aaaa", authorId: "x", text: "", createdAt: NOW - 5 * HOUR, deleted: false },
    };
    expect(byNewestActivity([recreated, conv("b", NOW - HOUR)]).map((c) => c.id)).toEqual(["b", "a"]);
  });
});

describe("peerId", () => {
  it("finds the other member, or yourself in a note-to-self", () => {
    expect(peerId(conv("a", 1), "me")).toBe("peer-a");
    expect(peerId({ ...conv("a", 1), memberIds: ["me"] }, "me")).toBe("me");
  });
});
