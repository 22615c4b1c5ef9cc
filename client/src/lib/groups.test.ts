import { type ConversationSummary, SYSTEM_AUTHOR } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import {
  departure,
  isFormerMember,
  normalizeSummary,
  onlineCount,
  orderedMembers,
  previewText,
  roleOf,
  systemSentence,
  typingSentence,
} from "./groups.js";

const NAMES: Record<string, string> = { me: "Mia Moss", bob: "Bob Baker", carol: "Carol Chen", dave: "Dave Diaz" };
const nameOf = (id: string) => NAMES[id];
const nameOrSomeone = (id: string) => NAMES[id] ?? "Someone";

function group(overrides: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id: "g1",
    kind: "group",
    name: "Climbers",
    memberIds: ["bob", "me", "carol"],
    adminIds: ["bob", "carol"],
    receipts: [],
    headSegment: 0,
    documents: ["conversation.g1.0"],
    lastMessage: null,
    lastActivityAt: 1_700_000_000_000,
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}

describe("normalizeSummary", () => {
  it("reads a summary stored before groups existed as a direct conversation", () => {
    const old = { ...group(), kind: undefined, name: undefined, adminIds: undefined } as unknown as ConversationSummary;
    expect(normalizeSummary(old)).toMatchObject({ kind: "direct", name: null, adminIds: [] });
  });

  it("returns a current summary as it is", () => {
    const c = group();
    expect(normalizeSummary(c)).toBe(c);
  });
});

describe("roles", () => {
  it("names the owner (first admin), the admins and the members, and nobody outside", () => {
    const c = group();
    expect(roleOf(c, "bob")).toBe("owner");
    expect(roleOf(c, "carol")).toBe("admin");
    expect(roleOf(c, "me")).toBe("member");
    expect(roleOf(c, "dave")).toBeNull();
  });

  it("treats a group without me in it as one I was in", () => {
    expect(isFormerMember(group({ memberIds: ["bob", "carol"] }), "me")).toBe(true);
    expect(isFormerMember(group(), "me")).toBe(false);
    expect(isFormerMember({ ...group({ memberIds: ["bob", "carol"] }), kind: "direct" }, "me")).toBe(false);
  });

  it("lists the owner first, then admins, then members by name", () => {
    const c = group({ memberIds: ["dave", "me", "carol", "bob"], adminIds: ["bob", "carol"] });
    expect(orderedMembers(c, nameOrSomeone)).toEqual(["bob", "carol", "dave", "me"]);
  });
});

describe("previewText", () => {
  const msg = (authorId: string, text: string) => ({ id: "m1-abcdef", authorId, text, createdAt: 1, deleted: false });

  it("prefixes others' messages with their first name in groups only", () => {
    expect(previewText(group({ lastMessage: msg("bob", "hi") }), "me", nameOrSomeone)).toBe("Bob: hi");
    expect(previewText(group({ kind: "direct", lastMessage: msg("bob", "hi") }), "me", nameOrSomeone)).toBe("hi");
    expect(previewText(group({ lastMessage: msg("me", "hey") }), "me", nameOrSomeone)).toBe("You: hey");
  });

  it("shows a system line as its sentence", () => {
    const c = group({ lastMessage: msg(SYSTEM_AUTHOR, "Bob Baker added Dave Diaz") });
    expect(previewText(c, "me", nameOrSomeone)).toBe("Bob Baker added Dave Diaz");
  });
});

describe("systemSentence", () => {
  it("words the event with current names, me as you", () => {
    expect(systemSentence({ type: "added", actor: "bob", userIds: ["me", "dave"] }, "x", "me", nameOf)).toBe(
      "Bob Baker added you and Dave Diaz",
    );
    expect(systemSentence({ type: "left", actor: "me" }, "x", "me", nameOf)).toBe("You left");
    expect(systemSentence({ type: "role", actor: "bob", userId: "carol", role: "member" }, "x", "me", nameOf)).toBe(
      "Bob Baker removed Carol Chen as an admin",
    );
    expect(systemSentence({ type: "renamed", actor: "carol", name: "Crag" }, "x", "me", nameOf)).toBe(
      "Carol Chen renamed the group to \u201cCrag\u201d",
    );
  });

  it("falls back to the written sentence when a name is unknown, or for a creation", () => {
    expect(systemSentence({ type: "removed", actor: "bob", userIds: ["zed"] }, "Bob removed Zed", "me", nameOf)).toBe(
      "Bob removed Zed",
    );
    expect(
      systemSentence(
        { type: "created", actor: "bob", name: "C", userIds: ["me", "carol"] },
        "Bob created",
        "me",
        nameOf,
      ),
    ).toBe("Bob created");
    expect(systemSentence(undefined, "as written", "me", nameOf)).toBe("as written");
  });
});

describe("departure", () => {
  it("says whether I left or was removed, by the newest line about me", () => {
    expect(departure([{ type: "left", actor: "me" }], "me")).toBe("left");
    expect(departure([{ type: "removed", actor: "bob", userIds: ["me"] }], "me")).toBe("removed");
    expect(
      departure(
        [
          { type: "removed", actor: "bob", userIds: ["me"] },
          { type: "added", actor: "bob", userIds: ["me"] },
        ],
        "me",
      ),
    ).toBeNull();
  });
});

describe("typingSentence", () => {
  it("names one or two typists and counts more", () => {
    expect(typingSentence([])).toBe("");
    expect(typingSentence(["Alice"])).toBe("Alice is typing…");
    expect(typingSentence(["Alice", "Bob"])).toBe("Alice and Bob are typing…");
    expect(typingSentence(["Alice", "Bob", "Carol"])).toBe("3 people are typing…");
  });
});

describe("onlineCount", () => {
  it("counts online members out of all", () => {
    expect(onlineCount(["a", "b", "c"], (id) => id !== "b")).toBe("2 of 3 online");
  });
});
