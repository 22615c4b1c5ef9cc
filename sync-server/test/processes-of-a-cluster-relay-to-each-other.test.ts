/**
 * Three server processes' worth of services on one PostgreSQL database and one Redis, each on
 * its own port, as a load balancer would spread clients: what one user writes through one
 * process reaches users connected to the others, live.
 */
import {
  addMessage,
  type ConversationSummary,
  conversationDocName,
  inboxDocName,
  inboxMap,
  messagesMap,
  newMessageId,
} from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { startTestCluster } from "./helpers/cluster.js";
import { waitFor } from "./helpers/server.js";

describe("a cluster of three processes", () => {
  it("relays messages both ways between users on different processes, and typing too", async () => {
    const [one, two] = await startTestCluster(3);
    if (!one || !two) throw new Error("cluster did not start");
    const alice = await one.signUp("Alice");
    const bob = await one.signUp("Bob");
    const c = await one.conversation(alice, bob);
    const name = conversationDocName(c.id, 0);
    const a = one.provider(alice, name);
    const b = two.provider(bob, name);
    await waitFor(() => a.provider.synced && b.provider.synced, "both synced");

    const hello = addMessage(a.doc, { id: newMessageId(), author: alice.id, text: "hello", createdAt: Date.now() });
    expect(await waitFor(() => messagesMap(b.doc).get(hello.id), "bob sees alice's message")).toEqual(hello);
    const reply = addMessage(b.doc, { id: newMessageId(), author: bob.id, text: "hi", createdAt: Date.now() });
    expect(await waitFor(() => messagesMap(a.doc).get(reply.id), "alice sees bob's reply")).toEqual(reply);

    a.provider.awareness.setLocalState({ typingAt: 1234 });
    const seen = await waitFor(() => b.provider.awareness.getStates().get(a.doc.clientID), "bob sees alice typing");
    expect(seen).toEqual({ typingAt: 1234, user: { id: alice.id, name: "Alice" } });

    // Both copies and the index agree.
    await waitFor(async () => (await two.repo.messagesPage(c.id, undefined, 10))?.messages.length === 2, "indexed");
    expect([...messagesMap(a.doc).keys()].sort()).toEqual([...messagesMap(b.doc).keys()].sort());
  });

  it("delivers a message posted over HTTP on a third process to sockets on the other two, and to their inboxes", async () => {
    const [one, two, three] = await startTestCluster(3);
    if (!one || !two || !three) throw new Error("cluster did not start");
    const alice = await one.signUp("Alice");
    const bob = await two.signUp("Bob");
    const c = await three.conversation(alice, bob);
    const name = conversationDocName(c.id, 0);
    const a = one.provider(alice, name);
    const b = two.provider(bob, name);
    const aliceInbox = one.provider(alice, inboxDocName(alice.id));
    const bobInbox = two.provider(bob, inboxDocName(bob.id));
    await waitFor(
      () => a.provider.synced && b.provider.synced && aliceInbox.provider.synced && bobInbox.provider.synced,
      "all synced",
    );

    const id = newMessageId();
    const posted = await three.api("POST", `/api/conversations/${c.id}/messages`, alice, { id, text: "over http" });
    expect(posted.status).toBe(201);
    await waitFor(() => messagesMap(a.doc).get(id) && messagesMap(b.doc).get(id), "both sockets get it");
    expect(messagesMap(b.doc).get(id)?.text).toBe("over http");
    const summaryOf = (doc: typeof aliceInbox.doc) => inboxMap(doc).get(c.id) as ConversationSummary | undefined;
    await waitFor(
      () => summaryOf(aliceInbox.doc)?.lastMessage?.id === id && summaryOf(bobInbox.doc)?.lastMessage?.id === id,
      "both inboxes show it as the last message",
    );
  });

  it("keeps writing when two processes commit the same document at once, and every copy converges", async () => {
    const [one, two] = await startTestCluster(2, { relay: { limits: { writeBurst: 1000, writesPerSecond: 1000 } } });
    if (!one || !two) throw new Error("cluster did not start");
    const alice = await one.signUp("Alice");
    const bob = await one.signUp("Bob");
    const c = await one.conversation(alice, bob);
    const name = conversationDocName(c.id, 0);
    const a = one.provider(alice, name);
    const b = two.provider(bob, name);
    await waitFor(() => a.provider.synced && b.provider.synced, "both synced");

    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(addMessage(a.doc, { id: newMessageId(), author: alice.id, text: `a${i}`, createdAt: Date.now() }).id);
      ids.push(addMessage(b.doc, { id: newMessageId(), author: bob.id, text: `b${i}`, createdAt: Date.now() }).id);
      if (i % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await waitFor(
      () => ids.every((id) => messagesMap(a.doc).has(id) && messagesMap(b.doc).has(id)),
      "every message on both sides",
    );
    await one.relay.settled();
    await two.relay.settled();
    const page = await one.repo.messagesPage(c.id, undefined, 100);
    expect(page?.messages.map((m) => m.id).sort()).toEqual([...ids].sort());
    // A third client loading from the store sees the same.
    const late = two.provider(alice, name);
    await waitFor(() => late.provider.synced, "late joiner synced");
    expect([...messagesMap(late.doc).keys()].sort()).toEqual([...ids].sort());
    expect(a.provider.wsconnected && b.provider.wsconnected).toBe(true);
  });
});
