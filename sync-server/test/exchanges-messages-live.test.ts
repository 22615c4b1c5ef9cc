import { addMessage, messagesMap, newMessageId } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { startTestServer, waitFor } from "./helpers/server.js";

describe("live exchange", () => {
  it("two users exchange messages live and the sender's other tab sees them too", async () => {
    const t = await startTestServer();
    const { alice, bob, name } = await t.twoMembers();
    const aliceTab1 = t.provider(alice, name);
    const aliceTab2 = t.provider(alice, name);
    const bobTab = t.provider(bob, name);
    await waitFor(() => aliceTab1.provider.synced && aliceTab2.provider.synced && bobTab.provider.synced, "all synced");

    const hello = addMessage(aliceTab1.doc, {
      id: newMessageId(),
      author: alice.id,
      text: "hello bob",
      createdAt: Date.now(),
    });
    await waitFor(() => messagesMap(bobTab.doc).get(hello.id), "bob sees alice's message");
    await waitFor(() => messagesMap(aliceTab2.doc).get(hello.id), "alice's other tab sees it");

    const reply = addMessage(bobTab.doc, {
      id: newMessageId(),
      author: bob.id,
      text: "hi alice",
      createdAt: Date.now(),
    });
    await waitFor(
      () => messagesMap(aliceTab1.doc).get(reply.id) && messagesMap(aliceTab2.doc).get(reply.id),
      "alice sees the reply",
    );
    expect(messagesMap(aliceTab2.doc).get(reply.id)).toEqual(reply);
    expect(aliceTab1.provider.wsconnected && bobTab.provider.wsconnected).toBe(true);
  });

  it("a late joiner gets the history", async () => {
    const t = await startTestServer();
    const { alice, bob, c, name } = await t.twoMembers();
    const a = t.provider(alice, name);
    await waitFor(() => a.provider.synced, "alice synced");
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push(addMessage(a.doc, { id: newMessageId(), author: alice.id, text: `m${i}`, createdAt: Date.now() }).id);
    await waitFor(async () => (await t.repo.messagesPage(c.id, undefined, 50))?.messages.length === 20, "indexed");
    a.provider.destroy();
    const late = t.provider(bob, name);
    await waitFor(() => late.provider.synced, "late joiner synced");
    expect([...messagesMap(late.doc).keys()].sort()).toEqual([...ids].sort());
  });
});
