import {
  addMessage,
  CLOSE_CODES,
  conversationDocName,
  type MessageRecord,
  messagesMap,
  newMessageId,
  reactionKey,
  reactionsMap,
  toggleReaction,
} from "@messenger/shared";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { awarenessFrame, updateFrame } from "./helpers/frames.js";
import { startTestServer, type TestServer, type TestUser, waitFor } from "./helpers/server.js";

/** Alice and Bob, each with a synced provider, and one message by each. */
async function setUp(t: TestServer) {
  const [alice, bob] = [await t.signUp("Alice"), await t.signUp("Bob")];
  const c = await t.conversation(alice, bob);
  const name = conversationDocName(c.id, 0);
  const a = t.provider(alice, name);
  const b = t.provider(bob, name);
  await waitFor(() => a.provider.synced && b.provider.synced, "synced");
  const bobsMessage = addMessage(b.doc, {
    id: newMessageId(),
    author: bob.id,
    text: "bob's words",
    createdAt: Date.now(),
  });
  const alicesMessage = addMessage(a.doc, {
    id: newMessageId(),
    author: alice.id,
    text: "alice's words",
    createdAt: Date.now(),
  });
  await waitFor(
    () => messagesMap(a.doc).get(bobsMessage.id) && messagesMap(b.doc).get(alicesMessage.id),
    "both messages everywhere",
  );
  let bobDisconnects = 0;
  b.provider.on("status", ({ status }: { status: string }) => {
    if (status === "disconnected") bobDisconnects++;
  });
  return { alice, bob, c, name, a, b, bobsMessage, alicesMessage, bobDisconnects: () => bobDisconnects };
}

/** Sends what `forge` changes in a copy of alice's replica, over a raw socket as `writer`. */
async function sendForgery(t: TestServer, writer: TestUser, name: string, replica: Y.Doc, forge: (doc: Y.Doc) => void) {
  const forged = new Y.Doc();
  Y.applyUpdate(forged, Y.encodeStateAsUpdate(replica));
  forge(forged);
  const update = Y.encodeStateAsUpdate(forged, Y.encodeStateVector(replica));
  const s = t.rawSocket(writer, name);
  expect(await s.opened).toBe(true);
  s.ws.send(updateFrame(update));
  return waitFor(() => s.closeCode, "the forger's socket closes");
}

describe("the server enforces authorship", () => {
  const forgeries: Array<[string, (env: Awaited<ReturnType<typeof setUp>>) => (doc: Y.Doc) => void]> = [
    [
      "a forged author",
      (e) => (d) => addMessage(d, { id: "forged-author-1", author: e.bob.id, text: "I am bob", createdAt: Date.now() }),
    ],
    [
      "editing someone else's message",
      (e) => (d) => messagesMap(d).set(e.bobsMessage.id, { ...e.bobsMessage, text: "hacked", editedAt: Date.now() }),
    ],
    ["deleting someone else's message", (e) => (d) => messagesMap(d).delete(e.bobsMessage.id)],
    [
      "tombstoning someone else's message",
      (e) => (d) => messagesMap(d).set(e.bobsMessage.id, { ...e.bobsMessage, text: "", deletedAt: Date.now() }),
    ],
    ["writing outside the schema (another root)", () => (d) => d.getMap("admin").set("owner", "alice")],
    [
      "writing outside the schema (a nested type)",
      () => (d) => messagesMap(d).set("nested-type-1", new Y.Map() as unknown as MessageRecord),
    ],
    [
      "writing outside the schema (an extra field)",
      (e) => (d) =>
        messagesMap(d).set("extra-field-1", {
          id: "extra-field-1",
          author: e.alice.id,
          text: "x",
          createdAt: Date.now(),
          admin: true,
        } as MessageRecord),
    ],
    [
      "a reaction in the other member's name",
      (e) => (d) =>
        reactionsMap(d).set(reactionKey(e.alicesMessage.id, e.bob.id), {
          messageId: e.alicesMessage.id,
          userId: e.bob.id,
          emoji: ["❤️"],
          at: Date.now(),
        }),
    ],
    [
      "a reaction under one's own key that claims to be the other member's",
      (e) => (d) =>
        reactionsMap(d).set(reactionKey(e.bobsMessage.id, e.alice.id), {
          messageId: e.bobsMessage.id,
          userId: e.bob.id,
          emoji: ["👍"],
          at: Date.now(),
        }),
    ],
    [
      "an edit that makes one's own message a reply after the fact",
      (e) => (d) =>
        messagesMap(d).set(e.alicesMessage.id, { ...e.alicesMessage, replyTo: e.bobsMessage.id, editedAt: Date.now() }),
    ],
  ];

  it("delivers a member's reaction to the other member live, and taking it back too", async () => {
    const t = await startTestServer();
    const e = await setUp(t);
    toggleReaction(e.a.doc, { messageId: e.bobsMessage.id, userId: e.alice.id, emoji: "👍", at: Date.now() });
    const key = reactionKey(e.bobsMessage.id, e.alice.id);
    await waitFor(() => reactionsMap(e.b.doc).get(key)?.emoji.length === 1, "bob sees alice's reaction");
    toggleReaction(e.a.doc, { messageId: e.bobsMessage.id, userId: e.alice.id, emoji: "👍", at: Date.now() });
    await waitFor(() => reactionsMap(e.b.doc).get(key)?.emoji.length === 0, "bob sees it taken back");
    expect(e.bobDisconnects()).toBe(0);
  });

  for (const [what, forge] of forgeries) {
    it(`rejects ${what} with ${CLOSE_CODES.WRITE_REJECTED}, and other members never see it`, async () => {
      const t = await startTestServer();
      const e = await setUp(t);
      const before = Y.encodeStateVector(e.b.doc);
      expect(await sendForgery(t, e.alice, e.name, e.a.doc, forge(e))).toBe(CLOSE_CODES.WRITE_REJECTED);
      // A later, valid message arrives; the forgery never did.
      const later = addMessage(e.a.doc, {
        id: newMessageId(),
        author: e.alice.id,
        text: "later",
        createdAt: Date.now(),
      });
      await waitFor(() => messagesMap(e.b.doc).get(later.id), "bob sees the later message");
      expect(messagesMap(e.b.doc).get(e.bobsMessage.id)).toEqual(e.bobsMessage);
      expect(messagesMap(e.b.doc).has("forged-author-1")).toBe(false);
      expect([...e.b.doc.share.keys()].filter((k) => k !== "reactions")).toEqual(["messages"]);
      expect(reactionsMap(e.b.doc).size).toBe(0);
      expect(messagesMap(e.b.doc).size).toBe(3);
      expect(Y.encodeStateVector(e.b.doc).length).toBeGreaterThanOrEqual(before.length);
      expect(e.bobDisconnects()).toBe(0);
      // and it is not in the index either
      expect((await t.repo.findMessage(e.c.id, e.bobsMessage.id))?.text).toBe("bob's words");
    });
  }

  it("rejects writing under another user's Yjs client id", async () => {
    const t = await startTestServer();
    const e = await setUp(t);
    const code = await sendForgery(t, e.alice, e.name, e.a.doc, (d) => {
      d.clientID = e.b.doc.clientID;
      addMessage(d, {
        id: "stolen-client-1",
        author: e.alice.id,
        text: "pre-claiming bob's clocks",
        createdAt: Date.now(),
      });
    });
    expect(code).toBe(CLOSE_CODES.WRITE_REJECTED);
    const next = addMessage(e.b.doc, {
      id: newMessageId(),
      author: e.bob.id,
      text: "still mine",
      createdAt: Date.now(),
    });
    await waitFor(() => messagesMap(e.a.doc).get(next.id), "bob's next message still arrives");
    expect(messagesMap(e.a.doc).has("stolen-client-1")).toBe(false);
    expect(messagesMap(e.b.doc).has("stolen-client-1")).toBe(false);
  });

  it("rewrites awareness to the socket's user and rejects impersonating another user's awareness id", async () => {
    const t = await startTestServer();
    const e = await setUp(t);
    e.b.provider.awareness.setLocalState({ typingAt: null });
    await waitFor(() => e.a.provider.awareness.getStates().get(e.b.doc.clientID), "alice sees bob's awareness");

    const s = t.rawSocket(e.alice, e.name);
    expect(await s.opened).toBe(true);
    const myId = 123456;
    s.ws.send(
      awarenessFrame([
        { clientId: myId, clock: 1, state: { user: { id: e.bob.id, name: "Bob" }, typingAt: 42, color: "red" } },
      ]),
    );
    const rewritten = await waitFor(() => e.b.provider.awareness.getStates().get(myId), "bob sees the rewritten state");
    expect(rewritten).toEqual({ user: { id: e.alice.id, name: "Alice" }, typingAt: 42 });

    s.ws.send(
      awarenessFrame([
        { clientId: e.b.doc.clientID, clock: 999, state: { user: { id: e.bob.id, name: "Bob" }, typingAt: 1 } },
      ]),
    );
    expect(await waitFor(() => s.closeCode, "impersonator closed")).toBe(CLOSE_CODES.WRITE_REJECTED);
    e.b.provider.awareness.setLocalStateField("typingAt", 7);
    await waitFor(
      () =>
        (e.a.provider.awareness.getStates().get(e.b.doc.clientID) as { typingAt: number } | undefined)?.typingAt === 7,
      "bob's real state",
    );
    expect(e.a.provider.awareness.getStates().get(e.b.doc.clientID)).toEqual({
      user: { id: e.bob.id, name: "Bob" },
      typingAt: 7,
    });
    // the impersonator's socket closed, so its own awareness id is gone for everyone
    await waitFor(() => !e.b.provider.awareness.getStates().has(myId), "closed socket's awareness removed");
  });
});
