/**
 * Muting: a member mutes a conversation for themselves (PUT /api/conversations/:id/mute); it is
 * kept on the server and shown in their own inbox's `reads` root on every device, live, and
 * stays through new messages (which still count as unread). Nobody else can mute it for them
 * or learn of it; a non-member gets 404.
 */
import {
  addMessage,
  type ConversationSummary,
  inboxDocName,
  inboxMap,
  inboxReadsMap,
  newMessageId,
  type ReadState,
} from "@messenger/shared";
import { describe, expect, it } from "vitest";
import type * as Y from "yjs";
import { startTestServer, waitFor } from "./helpers/server.js";

const readsOf = (doc: Y.Doc, id: string) => inboxReadsMap(doc).get(id) as ReadState | undefined;

describe("muting a conversation", () => {
  it("reaches every device of the member through their inbox, survives new messages, and is undone by unmuting", async () => {
    const t = await startTestServer();
    const { alice, bob, c, name } = await t.twoMembers();
    const phone = await t.signInAgain(bob);
    const desktopInbox = t.provider(bob, inboxDocName(bob.id));
    const phoneInbox = t.provider(phone, inboxDocName(bob.id));
    const aliceInbox = t.provider(alice, inboxDocName(alice.id));
    const a = t.provider(alice, name);
    await waitFor(
      () =>
        a.provider.synced && desktopInbox.provider.synced && phoneInbox.provider.synced && aliceInbox.provider.synced,
      "synced",
    );

    const muted = await t.api<{ muted: boolean }>("PUT", `/api/conversations/${c.id}/mute`, bob, { muted: true });
    expect(muted.status).toBe(200);
    expect(muted.body).toEqual({ muted: true });
    await waitFor(
      () => readsOf(desktopInbox.doc, c.id)?.muted === true && readsOf(phoneInbox.doc, c.id)?.muted === true,
      "both of bob's devices show it muted",
    );

    // A new message still counts as unread, and the conversation stays muted.
    addMessage(a.doc, { id: newMessageId(), author: alice.id, text: "hello?", createdAt: Date.now() });
    await waitFor(() => readsOf(phoneInbox.doc, c.id)?.unread === 1, "one unread on the phone");
    expect(readsOf(phoneInbox.doc, c.id)?.muted).toBe(true);

    // Only bob's own state: alice's inbox and the summary say nothing of it.
    expect(readsOf(aliceInbox.doc, c.id)?.muted ?? false).toBe(false);
    const summary = inboxMap(aliceInbox.doc).get(c.id) as ConversationSummary;
    expect(JSON.stringify(summary)).not.toContain("muted");

    // Kept on the server: an inbox opened afresh reads it from the store.
    const fresh = t.provider(bob, inboxDocName(bob.id));
    await waitFor(() => fresh.provider.synced, "a fresh inbox synced");
    expect(readsOf(fresh.doc, c.id)).toMatchObject({ unread: 1, muted: true });

    expect((await t.api("PUT", `/api/conversations/${c.id}/mute`, phone, { muted: false })).status).toBe(200);
    await waitFor(() => readsOf(desktopInbox.doc, c.id)?.muted === false, "the desktop shows it unmuted");
    expect(readsOf(desktopInbox.doc, c.id)?.unread).toBe(1);
  });

  it("answers 404 to a non-member and 400 to a malformed body, and changes nothing for the members", async () => {
    const t = await startTestServer();
    const { alice, bob, c } = await t.twoMembers();
    const carol = await t.signUp("Carol");
    const bobInbox = t.provider(bob, inboxDocName(bob.id));
    await waitFor(() => bobInbox.provider.synced, "synced");

    const refused = await t.api<{ error: { code: string } }>("PUT", `/api/conversations/${c.id}/mute`, carol, {
      muted: true,
    });
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe("NOT_FOUND");
    expect((await t.api("PUT", "/api/conversations/nosuchconversation/mute", bob, { muted: true })).status).toBe(404);
    expect((await t.api("PUT", `/api/conversations/${c.id}/mute`, bob, { muted: "yes" })).status).toBe(400);
    expect((await t.api("PUT", `/api/conversations/${c.id}/mute`, bob, { muted: true, userId: alice.id })).status).toBe(
      400,
    );
    expect((await t.api("PUT", `/api/conversations/${c.id}/mute`, null, { muted: true })).status).toBe(401);

    // Nothing changed for the members: bob's own mute still works and is his alone.
    expect((await t.api("PUT", `/api/conversations/${c.id}/mute`, bob, { muted: true })).status).toBe(200);
    await waitFor(() => readsOf(bobInbox.doc, c.id)?.muted === true, "bob's inbox shows it muted");
    expect((await t.repo.readsForUser(alice.id)).get(c.id)?.muted).toBe(false);
    expect((await t.repo.readsForUser(bob.id)).get(c.id)?.muted).toBe(true);
  });
});
