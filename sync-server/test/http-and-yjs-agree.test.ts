import { addMessage, conversationDocName, type Message, messagesMap, newMessageId } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { startTestServer, waitFor } from "./helpers/server.js";

describe("HTTP and Yjs see the same messages", () => {
  it("a message posted over HTTP arrives live on connected sockets", async () => {
    const t = await startTestServer();
    const [alice, bob] = [await t.signUp("Alice"), await t.signUp("Bob")];
    const c = await t.conversation(alice, bob);
    const b = t.provider(bob, conversationDocName(c.id, 0));
    await waitFor(() => b.provider.synced, "bob synced");
    const id = newMessageId();
    const res = await t.api<{ message: Message }>("POST", `/api/conversations/${c.id}/messages`, alice, {
      id,
      text: "over http",
    });
    expect(res.status).toBe(201);
    const live = await waitFor(() => messagesMap(b.doc).get(id), "bob sees the HTTP message");
    expect(live).toMatchObject({ id, author: alice.id, text: "over http" });
  });

  it("messages written through Yjs appear in the HTTP pages", async () => {
    const t = await startTestServer();
    const [alice, bob] = [await t.signUp("Alice"), await t.signUp("Bob")];
    const c = await t.conversation(alice, bob);
    const a = t.provider(alice, conversationDocName(c.id, 0));
    await waitFor(() => a.provider.synced, "alice synced");
    const m = addMessage(a.doc, { id: newMessageId(), author: alice.id, text: "through yjs", createdAt: Date.now() });
    const page = await waitFor(async () => {
      const r = await t.api<{ messages: Message[] }>("GET", `/api/conversations/${c.id}/messages`, bob);
      return r.body.messages.length > 0 ? r.body : null;
    }, "the page lists the message");
    expect(page.messages[0]).toMatchObject({ id: m.id, authorId: alice.id, text: "through yjs", segment: 0 });
  });

  it("posting the same message id twice stores one message", async () => {
    const t = await startTestServer();
    const [alice, bob] = [await t.signUp("Alice"), await t.signUp("Bob")];
    const c = await t.conversation(alice, bob);
    const id = newMessageId();
    const first = await t.api("POST", `/api/conversations/${c.id}/messages`, alice, { id, text: "once" });
    const again = await t.api("POST", `/api/conversations/${c.id}/messages`, alice, { id, text: "once" });
    expect([first.status, again.status]).toEqual([201, 200]);
    const both = await Promise.all([
      t.relay.postMessage(c.id, alice.id, { id: newMessageId(), text: "x" }).then(() => null),
      t.relay.postMessage(c.id, alice.id, { id, text: "once" }),
    ]);
    expect(both[1]?.created).toBe(false);
    const page = await t.api<{ messages: Message[] }>("GET", `/api/conversations/${c.id}/messages`, alice);
    expect(page.body.messages.filter((m) => m.id === id)).toHaveLength(1);
    const b = t.provider(bob, conversationDocName(c.id, 0));
    await waitFor(() => b.provider.synced, "bob synced");
    expect(messagesMap(b.doc).size).toBe(2);
    const bobSameId = await t.api("POST", `/api/conversations/${c.id}/messages`, bob, { id, text: "mine?" });
    expect(bobSameId.status).toBe(409);
  });

  it("the inbox of every member shows the conversation's last message", async () => {
    const t = await startTestServer();
    const [alice, bob] = [await t.signUp("Alice"), await t.signUp("Bob")];
    const c = await t.conversation(alice, bob);
    const inbox = t.provider(bob, `inbox.${bob.id}`);
    await waitFor(() => inbox.doc.getMap("conversations").get(c.id), "bob's inbox lists the conversation");
    const id = newMessageId();
    await t.api("POST", `/api/conversations/${c.id}/messages`, alice, { id, text: "ping" });
    const summary = await waitFor(
      () =>
        (inbox.doc.getMap("conversations").get(c.id) as { lastMessage: { id: string } | null } | undefined)?.lastMessage
          ?.id === id,
      "bob's inbox shows the last message",
    );
    expect(summary).toBe(true);
  });

  it("an inbox nobody has open is not loaded for each message, and is up to date the moment it opens", async () => {
    const t = await startTestServer();
    const [alice, bob] = [await t.signUp("Alice"), await t.signUp("Bob")];
    const c = await t.conversation(alice, bob);
    await t.relay.settled();
    const a = t.provider(alice, conversationDocName(c.id, 0));
    await waitFor(() => a.provider.synced, "alice synced");
    let last = "";
    for (let i = 0; i < 5; i++) {
      last = addMessage(a.doc, {
        id: newMessageId(),
        author: alice.id,
        text: `while away ${i}`,
        createdAt: Date.now() + i,
      }).id;
    }
    await waitFor(async () => (await t.repo.findMessage(c.id, last)) !== null, "alice's messages stored");
    await t.relay.settled();
    // Nobody has bob's inbox open: writing to it would mean loading, writing and compacting it.
    expect(t.relay.stats().rooms).not.toContain(`inbox.${bob.id}`);

    const inbox = t.provider(bob, `inbox.${bob.id}`);
    await waitFor(() => inbox.provider.synced, "bob's inbox synced");
    const summary = inbox.doc.getMap("conversations").get(c.id) as
      | { lastMessage: { id: string; text: string } | null }
      | undefined;
    expect(summary?.lastMessage).toMatchObject({ id: last, text: "while away 4" });
    // And from now on, while it is open, it follows live.
    const next = await t.api<{ message: Message }>("POST", `/api/conversations/${c.id}/messages`, alice, {
      id: newMessageId(),
      text: "now live",
    });
    await waitFor(
      () =>
        (inbox.doc.getMap("conversations").get(c.id) as { lastMessage: { id: string } | null } | undefined)?.lastMessage
          ?.id === next.body.message.id,
      "bob's open inbox shows the new message",
    );
  });
});
