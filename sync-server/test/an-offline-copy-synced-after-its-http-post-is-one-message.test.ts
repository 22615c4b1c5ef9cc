import { addMessage, type Message, messagesMap, newMessageId } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { startTestServer, waitFor } from "./helpers/server.js";

// The client's outbox may deliver a message written offline twice: posted over HTTP (by the
// service worker) and later synced from the document it was written in. Same id, same record.
describe("a message both posted over HTTP and synced from its offline copy", () => {
  it("is stored once, and the socket carrying the copy stays open", async () => {
    const t = await startTestServer();
    const { alice, bob, c, name } = await t.twoMembers();
    const offline = new Y.Doc();
    const record = addMessage(offline, {
      id: newMessageId(),
      author: alice.id,
      text: "written on the train",
      createdAt: Date.now() - 60_000,
    });

    const posted = await t.api<{ message: Message }>("POST", `/api/conversations/${c.id}/messages`, alice, {
      id: record.id,
      text: record.text,
      createdAt: record.createdAt,
    });
    expect(posted.status).toBe(201);

    const a = t.provider(alice, name, { doc: offline });
    let closeCode: number | null = null;
    a.provider.on("connection-close", (event) => {
      closeCode = event?.code ?? closeCode;
    });
    await waitFor(() => a.provider.synced, "the offline copy synced");
    // A later write on the same socket proves the relay accepted the copy (a refusal closes it).
    const later = addMessage(offline, { id: newMessageId(), author: alice.id, text: "later", createdAt: Date.now() });
    const b = t.provider(bob, name);
    await waitFor(() => messagesMap(b.doc).get(later.id), "bob receives the later message");

    expect(closeCode).toBeNull();
    expect(messagesMap(b.doc).get(record.id)).toEqual(record);
    expect(messagesMap(offline).get(record.id)).toEqual(record);
    const page = await t.api<{ messages: Message[] }>("GET", `/api/conversations/${c.id}/messages`, bob);
    expect(page.body.messages.filter((m) => m.id === record.id)).toHaveLength(1);
    expect(page.body.messages.map((m) => m.text)).toEqual(["written on the train", "later"]);
  });
});
