import { addMessage, type MessagesPage, messagesMap, newMessageId, toggleReaction } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { startTestServer, waitFor } from "./helpers/server.js";

describe("reactions in HTTP pages", () => {
  it("a reaction a member writes through the stock provider shows in the other member's page of messages, and goes when taken back", async () => {
    const t = await startTestServer();
    const { alice, bob, c, name } = await t.twoMembers();
    const a = t.provider(alice, name);
    const b = t.provider(bob, name);
    await waitFor(() => a.provider.synced && b.provider.synced, "synced");
    const message = addMessage(b.doc, { id: newMessageId(), author: bob.id, text: "lunch?", createdAt: Date.now() });
    await waitFor(() => messagesMap(a.doc).get(message.id), "bob's message reaches alice");

    const reactionsBobSees = async () => {
      const page = await t.api<MessagesPage>("GET", `/api/conversations/${c.id}/messages`, bob);
      expect(page.status).toBe(200);
      return page.body.messages.find((m) => m.id === message.id)?.reactions;
    };
    expect(await reactionsBobSees()).toEqual([]);

    toggleReaction(a.doc, { messageId: message.id, userId: alice.id, emoji: "👍", at: Date.now() });
    toggleReaction(a.doc, { messageId: message.id, userId: alice.id, emoji: "❤️", at: Date.now() });
    await waitFor(async () => (await reactionsBobSees())?.length === 2, "alice's reactions in bob's page");
    expect(await reactionsBobSees()).toEqual([
      { emoji: "👍", userIds: [alice.id] },
      { emoji: "❤️", userIds: [alice.id] },
    ]);

    toggleReaction(a.doc, { messageId: message.id, userId: alice.id, emoji: "👍", at: Date.now() });
    toggleReaction(a.doc, { messageId: message.id, userId: alice.id, emoji: "❤️", at: Date.now() });
    await waitFor(async () => (await reactionsBobSees())?.length === 0, "taken back in bob's page");
  });
});
