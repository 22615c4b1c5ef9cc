import type { Message, ReactionCount } from "@messenger/shared";
import { describe, expect, it, vi } from "vitest";
import { createConversationWindow } from "./conversation-window.js";
import { createPageReactions, mergeReactions, withPageReactions } from "./page-reactions.js";

vi.mock("solid-js", async () => (await import("solid-js/dist/solid.js" as string)) as typeof import("solid-js"));

const T = Date.parse("2026-03-01T10:00:00Z");
const msg = (id: string, reactions: ReactionCount[] = []): Message => ({
  id,
  conversationId: "c",
  authorId: "bob",
  text: id,
  createdAt: T,
  editedAt: null,
  deletedAt: null,
  segment: 0,
  replyTo: null,
  reactions,
});
const thumbs = (...userIds: string[]): ReactionCount[] => [{ emoji: "👍", userIds }];
const heart = (...userIds: string[]): ReactionCount[] => [{ emoji: "❤️", userIds }];

describe("reactions that pages bring", () => {
  it("a later page's word on a message replaces the earlier one, and a message with none drops out", () => {
    const first = withPageReactions(new Map(), [msg("m1", thumbs("ann")), msg("m2", heart("ben")), msg("m3")]);
    expect([...first]).toEqual([
      ["m1", thumbs("ann")],
      ["m2", heart("ben")],
    ]);
    const second = withPageReactions(first, [msg("m1", thumbs("ann", "cat")), msg("m2")]);
    expect([...second]).toEqual([["m1", thumbs("ann", "cat")]]);
  });

  it("live documents win for the messages they hold, even when they hold no reaction; pages answer for the rest", () => {
    const live = new Map([["m1", heart("ann")]]);
    const paged = new Map([
      ["m1", thumbs("old")],
      ["m2", thumbs("old")],
      ["m3", thumbs("ben")],
    ]);
    const merged = mergeReactions(live, new Set(["m1", "m2"]), paged);
    expect([...merged]).toEqual([
      ["m1", heart("ann")],
      ["m3", thumbs("ben")],
    ]);
  });

  it("a window opened at a message notes the reactions of every page the server sends", async () => {
    const paged = createPageReactions();
    const pages: Record<string, Message[]> = {
      around: [msg("m1", thumbs("ann")), msg("m2")],
      before: [msg("m0", heart("ben"))],
    };
    const api = {
      messages: async (_id: string, p: { around?: string; before?: string } = {}) => ({
        messages: p.around ? (pages.around ?? []) : (pages.before ?? []),
        hasMore: !p.before,
        hasNewer: false,
      }),
    };
    const w = createConversationWindow({ api, id: "c", cutOff: () => false, onPage: paged.note });
    expect(await w.open("m1")).toBe(true);
    await w.loadOlder();
    expect([...paged.counts()]).toEqual([
      ["m1", thumbs("ann")],
      ["m0", heart("ben")],
    ]);
  });
});
