import { type ConversationSummary, type MessagePreview, SYSTEM_AUTHOR } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { type NotifyInput, notificationFor } from "./notify.js";

const START = 1_000_000;
const names: Record<string, string> = { bob: "Bob Baker", carol: "Carol Chen", me: "Me" };

const message = (id: string, authorId: string, createdAt: number, text = "hello"): MessagePreview => ({
  id,
  authorId,
  text,
  createdAt,
  deleted: false,
});
const summary = (last: MessagePreview | null, over: Partial<ConversationSummary> = {}): ConversationSummary => ({
  id: "c1",
  kind: "direct",
  name: null,
  memberIds: ["me", "bob"],
  adminIds: [],
  receipts: [],
  headSegment: 0,
  documents: ["conversation.c1.0"],
  lastMessage: last,
  lastActivityAt: last?.createdAt ?? 0,
  createdAt: 0,
  ...over,
});
const input = (over: Partial<NotifyInput>): NotifyInput => ({
  previous: summary(message("m1", "bob", START - 10)),
  next: summary(message("m2", "bob", START + 10, "are you there?")),
  me: "me",
  muted: false,
  away: true,
  since: START,
  nameOf: (id) => names[id] ?? "Someone",
  ...over,
});

describe("notifications", () => {
  it("notifies of a newer message by someone else while I am away, titled by the author, tagged by the conversation", () => {
    expect(notificationFor(input({}))).toEqual({
      tag: "c1",
      conversationId: "c1",
      title: "Bob Baker",
      body: "are you there?",
    });
  });

  it("titles a group by its name and says who wrote", () => {
    const next = summary(message("m2", "carol", START + 1, "lunch?"), { kind: "group", name: "Team" });
    expect(notificationFor(input({ next }))).toMatchObject({ title: "Team", body: "Carol Chen: lunch?" });
  });

  it("says nothing for my own messages, system lines and deleted messages", () => {
    expect(notificationFor(input({ next: summary(message("m2", "me", START + 10)) }))).toBeNull();
    expect(notificationFor(input({ next: summary(message("m2", SYSTEM_AUTHOR, START + 10)) }))).toBeNull();
    expect(
      notificationFor(input({ next: summary({ ...message("m2", "bob", START + 10), deleted: true }) })),
    ).toBeNull();
  });

  it("says nothing in a muted conversation or while I am looking", () => {
    expect(notificationFor(input({ muted: true }))).toBeNull();
    expect(notificationFor(input({ away: false }))).toBeNull();
  });

  it("says nothing for what arrived before the app started, even when the inbox learns of it later", () => {
    expect(notificationFor(input({ next: summary(message("m2", "bob", START - 1)) }))).toBeNull();
    expect(notificationFor(input({ previous: undefined, next: summary(message("m2", "bob", START - 1)) }))).toBeNull();
  });

  it("says nothing when the last message did not change or went back to an older one", () => {
    const same = summary(message("m1", "bob", START + 5));
    expect(notificationFor(input({ previous: same, next: { ...same, receipts: [] } }))).toBeNull();
    expect(
      notificationFor(
        input({ previous: summary(message("m3", "bob", START + 20)), next: summary(message("m2", "bob", START + 10)) }),
      ),
    ).toBeNull();
  });

  it("notifies of a conversation it had not seen, and of one that had no message", () => {
    expect(notificationFor(input({ previous: undefined }))?.title).toBe("Bob Baker");
    expect(notificationFor(input({ previous: summary(null) }))?.title).toBe("Bob Baker");
  });

  it("shortens a long message to one line", () => {
    const next = summary(message("m2", "bob", START + 10, `line one\n\n${"x".repeat(400)}`));
    const body = notificationFor(input({ next }))?.body ?? "";
    expect(body.startsWith("line one x")).toBe(true);
    expect(body.length).toBeLessThanOrEqual(120);
    expect(body.endsWith("…")).toBe(true);
  });
});
