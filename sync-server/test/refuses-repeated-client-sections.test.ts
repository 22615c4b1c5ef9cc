/**
 * The forgery family behind issue 6: an update that repeats a Yjs client id's section.
 * yjs applies only the last section of a client; a validator that read them all would
 * judge the first and let the second through. Each variant is sent over a real socket
 * by a member; each must be refused with 4403, reach nobody, and leave the stored
 * document and the message index agreeing after a restart.
 */
import { CLOSE_CODES, conversationDocName, type MessageRecord, messagesMap, newMessageId } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import type * as Y from "yjs";
import { updateFrame } from "./helpers/frames.js";
import { startTestServer, type TestServer, type TestUser, waitFor } from "./helpers/server.js";
import { mapEntry, type Section, writeUpdate } from "./helpers/update-bytes.js";

interface Env {
  alice: TestUser;
  bob: TestUser;
  bobsMessage: MessageRecord;
  name: string;
}

/** Alice's own honest message in section one, then the same client id again with `second`. */
type Variant = (e: Env, client: number) => Section;

const variants: Array<[string, Variant]> = [
  [
    "a message authored by the other member",
    (e, client) => ({
      client,
      clock: 0,
      structs: [
        mapEntry(client, 0, "forged-in-bobs-name", {
          id: "forged-in-bobs-name",
          author: e.bob.id,
          text: "I owe alice money",
          createdAt: Date.now(),
        }),
      ],
    }),
  ],
  [
    "a rewrite of the other member's message",
    (e, client) => ({
      client,
      clock: 0,
      structs: [mapEntry(client, 0, e.bobsMessage.id, { ...e.bobsMessage, text: "hacked", editedAt: Date.now() })],
    }),
  ],
  [
    "a write to another root type",
    (_e, client) => ({ client, clock: 0, structs: [mapEntry(client, 0, "owner", "alice", "admin")] }),
  ],
  [
    "a struct parked beyond the document state (pending)",
    (e, client) => ({
      client,
      clock: 7,
      structs: [mapEntry(client, 7, e.bobsMessage.id, { ...e.bobsMessage, text: "later, maybe" })],
    }),
  ],
];

async function setUp(t: TestServer): Promise<Env & { conversationId: string; bobDoc: Y.Doc }> {
  const [alice, bob] = [await t.signUp("Alice"), await t.signUp("Bob")];
  const c = await t.conversation(alice, bob);
  const name = conversationDocName(c.id, 0);
  const b = t.provider(bob, name);
  await waitFor(() => b.provider.synced, "bob synced");
  const bobsMessage: MessageRecord = { id: newMessageId(), author: bob.id, text: "bob's words", createdAt: Date.now() };
  messagesMap(b.doc).set(bobsMessage.id, bobsMessage);
  await waitFor(() => t.repo.findMessage(c.id, bobsMessage.id), "bob's message stored");
  return { alice, bob, bobsMessage, name, conversationId: c.id, bobDoc: b.doc };
}

describe("updates that repeat a client's section", () => {
  for (const [what, second] of variants) {
    it(`refuses ${what} hidden behind an honest first section with 4403, fans nothing out, and stores nothing`, async () => {
      const t = await startTestServer();
      const e = await setUp(t);
      const client = 900_000 + Math.floor(Math.random() * 1000);
      const honest: MessageRecord = { id: newMessageId(), author: e.alice.id, text: "hi", createdAt: Date.now() };
      const update = writeUpdate({
        sections: [{ client, clock: 0, structs: [mapEntry(client, 0, honest.id, honest)] }, second(e, client)],
        ds: [],
      });
      const s = t.rawSocket(e.alice, e.name);
      expect(await s.opened).toBe(true);
      s.ws.send(updateFrame(update));
      expect(await waitFor(() => s.closeCode, "the forger's socket closes")).toBe(CLOSE_CODES.WRITE_REJECTED);

      // A later honest message from bob goes through, and nothing of the forgery came with it.
      const later: MessageRecord = { id: newMessageId(), author: e.bob.id, text: "later", createdAt: Date.now() };
      messagesMap(e.bobDoc).set(later.id, later);
      await waitFor(() => t.repo.findMessage(e.conversationId, later.id), "bob's later message stored");
      expect(messagesMap(e.bobDoc).get(e.bobsMessage.id)).toEqual(e.bobsMessage);
      expect(messagesMap(e.bobDoc).has("forged-in-bobs-name")).toBe(false);
      expect(messagesMap(e.bobDoc).has(honest.id)).toBe(false);
      expect([...e.bobDoc.share.keys()]).toEqual(["messages"]);
      expect(await t.repo.findMessage(e.conversationId, honest.id)).toBeNull();
      expect(await t.repo.findMessage(e.conversationId, "forged-in-bobs-name")).toBeNull();

      // After a restart, the stored document and the index agree, and hold no forgery.
      await t.close();
      const again = await startTestServer({ dataDir: t.dataDir });
      const reader = again.provider(e.bob, e.name);
      await waitFor(() => reader.provider.synced, "bob resyncs after the restart");
      const stored = messagesMap(reader.doc);
      expect([...reader.doc.share.keys()]).toEqual(["messages"]);
      expect(stored.get(e.bobsMessage.id)).toEqual(e.bobsMessage);
      expect(stored.has("forged-in-bobs-name")).toBe(false);
      expect(reader.doc.store.pendingStructs).toBeNull();
      const { body: page } = await again.api<{ messages: Array<{ id: string; text: string }> }>(
        "GET",
        `/api/conversations/${e.conversationId}/messages`,
        e.bob,
      );
      expect(page.messages.map((m) => m.id).sort()).toEqual([...stored.keys()].sort());
      expect(page.messages.find((m) => m.id === e.bobsMessage.id)?.text).toBe("bob's words");
    });
  }
});
