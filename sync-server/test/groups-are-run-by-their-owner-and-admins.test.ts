/**
 * Group conversations through REST and the relay: who may rename, add, remove and name
 * admins; system lines in the timeline; a removed member's sockets closed and every later
 * access refused; a member who joins sees the history; nobody but the server writes a
 * system line.
 */
import {
  addMessage,
  CLOSE_CODES,
  type ConversationSummary,
  conversationDocName,
  inboxDocName,
  inboxMap,
  type Message,
  messagesMap,
  newMessageId,
  SYSTEM_AUTHOR,
} from "@messenger/shared";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { updateFrame } from "./helpers/frames.js";
import { startTestServer, type TestServer, type TestUser, waitFor } from "./helpers/server.js";

type Answer = { conversation: ConversationSummary };

async function timeline(t: TestServer, user: TestUser, id: string): Promise<Message[]> {
  const page = await t.api<{ messages: Message[] }>("GET", `/api/conversations/${id}/messages?limit=200`, user);
  return page.body.messages;
}

describe("groups", () => {
  it("are created by anyone with two or more others, and their owner and admins rename them and add members", async () => {
    const t = await startTestServer();
    const [alice, bob, carol, dave] = [
      await t.signUp("Alice"),
      await t.signUp("Bob"),
      await t.signUp("Carol"),
      await t.signUp("Dave"),
    ];
    expect((await t.api("POST", "/api/groups", alice, { name: "Two", memberIds: [bob.id] })).status).toBe(400);
    expect((await t.api("POST", "/api/groups", alice, { name: "Ghost", memberIds: [bob.id, "nobody"] })).status).toBe(
      400,
    );
    expect((await t.api("POST", "/api/groups", alice, { name: "  ", memberIds: [bob.id, carol.id] })).status).toBe(400);
    expect(
      (await t.api("POST", "/api/groups", alice, { name: "a\u0007b", memberIds: [bob.id, carol.id] })).status,
    ).toBe(400);

    const created = await t.api<Answer>("POST", "/api/groups", alice, { name: "Trip", memberIds: [bob.id, carol.id] });
    expect(created.status).toBe(201);
    const group = created.body.conversation;
    expect(group).toMatchObject({ kind: "group", name: "Trip", adminIds: [alice.id] });
    expect(group.memberIds).toEqual([alice.id, bob.id, carol.id].sort());
    const [line] = await timeline(t, bob, group.id);
    expect(line).toMatchObject({
      authorId: SYSTEM_AUTHOR,
      text: "Alice created the group \u201cTrip\u201d with Bob and Carol",
    });

    // A plain member may do none of it; a stranger does not even see the group.
    expect((await t.api("PATCH", `/api/groups/${group.id}`, bob, { name: "Mine" })).status).toBe(403);
    expect((await t.api("POST", `/api/groups/${group.id}/members`, bob, { userIds: [dave.id] })).status).toBe(403);
    expect((await t.api("DELETE", `/api/groups/${group.id}/members/${carol.id}`, bob)).status).toBe(403);
    expect((await t.api("PATCH", `/api/groups/${group.id}`, dave, { name: "Mine" })).status).toBe(404);
    expect((await t.api("GET", `/api/conversations/${group.id}`, dave)).status).toBe(404);

    // The owner names Bob an admin; Bob renames it and adds Dave, who sees the history.
    const promoted = await t.api<Answer>("PATCH", `/api/groups/${group.id}/members/${bob.id}`, alice, {
      role: "admin",
    });
    expect(promoted.body.conversation.adminIds).toEqual([alice.id, bob.id]);
    expect((await t.api("PATCH", `/api/groups/${group.id}/members/${carol.id}`, bob, { role: "admin" })).status).toBe(
      403,
    );
    const aliceDoc = t.provider(alice, conversationDocName(group.id, 0));
    await waitFor(() => aliceDoc.provider.synced, "alice synced");
    const hello = addMessage(aliceDoc.doc, {
      id: newMessageId(),
      author: alice.id,
      text: "hi all",
      createdAt: Date.now(),
    });
    expect(
      (await t.api<Answer>("PATCH", `/api/groups/${group.id}`, bob, { name: "Trip 2026" })).body.conversation.name,
    ).toBe("Trip 2026");
    const added = await t.api<Answer>("POST", `/api/groups/${group.id}/members`, bob, { userIds: [dave.id, carol.id] });
    expect(added.status).toBe(200);
    expect(added.body.conversation.memberIds).toContain(dave.id);
    const daveDoc = t.provider(dave, conversationDocName(group.id, 0));
    await waitFor(() => messagesMap(daveDoc.doc).get(hello.id), "dave sees the history");
    const texts = (await timeline(t, dave, group.id)).filter((m) => m.authorId === SYSTEM_AUTHOR).map((m) => m.text);
    expect(texts).toEqual([
      "Alice created the group \u201cTrip\u201d with Bob and Carol",
      "Alice made Bob an admin",
      "Bob renamed the group to \u201cTrip 2026\u201d",
      "Bob added Dave",
    ]);
    const daveInbox = t.provider(dave, inboxDocName(dave.id));
    await waitFor(
      () => (inboxMap(daveInbox.doc).get(group.id) as ConversationSummary | undefined)?.name === "Trip 2026",
      "the group is in dave's inbox",
    );
  });

  it("close a removed member's sockets, refuse their every later access, and keep the owner in", async () => {
    const t = await startTestServer();
    const [alice, bob, carol, dave] = [
      await t.signUp("Alice"),
      await t.signUp("Bob"),
      await t.signUp("Carol"),
      await t.signUp("Dave"),
    ];
    const group = (
      await t.api<Answer>("POST", "/api/groups", alice, { name: "Team", memberIds: [bob.id, carol.id, dave.id] })
    ).body.conversation;
    await t.api("PATCH", `/api/groups/${group.id}/members/${bob.id}`, alice, { role: "admin" });
    await t.api("PATCH", `/api/groups/${group.id}/members/${dave.id}`, alice, { role: "admin" });
    const name = conversationDocName(group.id, 0);
    const carolSocket = t.rawSocket(carol, name);
    const carolInbox = t.provider(carol, inboxDocName(carol.id));
    expect(await carolSocket.opened).toBe(true);
    await waitFor(() => carolInbox.provider.synced, "carol's inbox synced");

    // An admin may not remove the owner or another admin.
    expect((await t.api("DELETE", `/api/groups/${group.id}/members/${alice.id}`, bob)).status).toBe(403);
    expect((await t.api("DELETE", `/api/groups/${group.id}/members/${dave.id}`, bob)).status).toBe(403);

    const removed = await t.api<Answer>("DELETE", `/api/groups/${group.id}/members/${carol.id}`, bob);
    expect(removed.status).toBe(200);
    expect(removed.body.conversation.memberIds).not.toContain(carol.id);
    expect(await waitFor(() => carolSocket.closeCode, "carol's socket closes")).toBe(CLOSE_CODES.NOT_A_MEMBER);
    // Her inbox shows she is out (her copy stays, read-only, in the app).
    await waitFor(
      () =>
        (inboxMap(carolInbox.doc).get(group.id) as ConversationSummary | undefined)?.memberIds.includes(carol.id) ===
        false,
      "carol's inbox shows she is no longer a member",
    );
    expect((await t.api("GET", `/api/conversations/${group.id}`, carol)).status).toBe(404);
    expect((await t.api("GET", `/api/conversations/${group.id}/messages`, carol)).status).toBe(404);
    expect(
      (
        await t.api("POST", `/api/conversations/${group.id}/messages`, carol, {
          id: newMessageId(),
          text: "still here?",
        })
      ).status,
    ).toBe(404);
    const again = t.rawSocket(carol, name);
    expect(await again.opened).toBe(false);
    expect(again.refusedStatus).toBe(403);

    // Dave leaves on his own; the owner leaving hands the group to the longest-standing admin.
    expect((await t.api("DELETE", `/api/groups/${group.id}/members/${dave.id}`, dave)).status).toBe(200);
    const left = await t.api<Answer>("DELETE", `/api/groups/${group.id}/members/${alice.id}`, alice);
    expect(left.body.conversation.adminIds).toEqual([bob.id]);
    const texts = (await timeline(t, bob, group.id)).filter((m) => m.authorId === SYSTEM_AUTHOR).map((m) => m.text);
    expect(texts.slice(-3)).toEqual(["Bob removed Carol", "Dave left", "Alice left"]);
  });

  it("refuse a system line written by a member, however it is dressed", async () => {
    const t = await startTestServer();
    const [alice, bob, carol] = [await t.signUp("Alice"), await t.signUp("Bob"), await t.signUp("Carol")];
    const group = (await t.api<Answer>("POST", "/api/groups", alice, { name: "G", memberIds: [bob.id, carol.id] })).body
      .conversation;
    const name = conversationDocName(group.id, 0);
    const forged = [
      { author: SYSTEM_AUTHOR, system: { type: "left", actor: carol.id } },
      { author: bob.id, system: { type: "left", actor: carol.id } },
      { author: bob.id, system: { type: "removed", actor: alice.id, userIds: [carol.id] } },
    ];
    for (const fields of forged) {
      const doc = new Y.Doc();
      let update: Uint8Array | null = null;
      doc.on("update", (u: Uint8Array) => {
        update = u;
      });
      const id = newMessageId();
      messagesMap(doc).set(id, { id, text: "Carol left", createdAt: Date.now(), ...fields } as never);
      const s = t.rawSocket(bob, name);
      expect(await s.opened).toBe(true);
      s.ws.send(updateFrame(update as unknown as Uint8Array));
      expect(await waitFor(() => s.closeCode, "the forgery is refused")).toBe(CLOSE_CODES.WRITE_REJECTED);
    }
    const lines = (await timeline(t, alice, group.id)).map((m) => m.text);
    expect(lines).toEqual(["Alice created the group \u201cG\u201d with Bob and Carol"]);
  });
});
