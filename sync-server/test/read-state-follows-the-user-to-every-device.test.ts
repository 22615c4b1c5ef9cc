/**
 * Read state on the server: unread counts and read marks per member, in the user's own inbox
 * on every device; marks only move forward (two devices, or one back from offline, merge by
 * newest wins); delivery and read receipts in the summary every member sees, the read mark
 * hidden while its owner keeps read receipts off; nobody marks for anyone else.
 */
import {
  addMessage,
  type ConversationSummary,
  conversationDocName,
  inboxDocName,
  inboxMap,
  inboxReadsMap,
  inboxSettingsMap,
  type MessageMark,
  newMessageId,
  type ReadState,
} from "@messenger/shared";
import { describe, expect, it } from "vitest";
import type * as Y from "yjs";
import { startTestServer, waitFor } from "./helpers/server.js";

const readsOf = (doc: Y.Doc, id: string) => inboxReadsMap(doc).get(id) as ReadState | undefined;
const receiptOf = (doc: Y.Doc, conversationId: string, userId: string) =>
  (inboxMap(doc).get(conversationId) as ConversationSummary | undefined)?.receipts.find((r) => r.userId === userId);

describe("read state", () => {
  it("counts unread messages on every device of the reader, clears them when read on one, and never moves a mark back", async () => {
    const t = await startTestServer();
    const { alice, bob, c, name } = await t.twoMembers();
    const phone = await t.signInAgain(bob);
    const desktopInbox = t.provider(bob, inboxDocName(bob.id));
    const phoneInbox = t.provider(phone, inboxDocName(bob.id));
    const aliceInbox = t.provider(alice, inboxDocName(alice.id));
    const a = t.provider(alice, name);
    await waitFor(() => a.provider.synced && desktopInbox.provider.synced && phoneInbox.provider.synced, "synced");

    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        addMessage(a.doc, { id: newMessageId(), author: alice.id, text: `m${i}`, createdAt: Date.now() + i }).id,
      );
    await waitFor(
      () => readsOf(desktopInbox.doc, c.id)?.unread === 3 && readsOf(phoneInbox.doc, c.id)?.unread === 3,
      "three unread on both of bob's devices",
    );
    // Writing means having read: alice's own state is clear, her marks are her newest message.
    await waitFor(() => readsOf(aliceInbox.doc, c.id)?.read?.id === ids[2], "alice's mark is her own last message");
    expect(readsOf(aliceInbox.doc, c.id)?.unread).toBe(0);

    // Read on the phone: the desktop shows it too, and alice sees it was read.
    const read = await t.api<{ read: MessageMark; unread: number }>("PUT", `/api/conversations/${c.id}/read`, phone, {
      messageId: ids[1],
    });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ read: { id: ids[1] }, unread: 1 });
    await waitFor(() => readsOf(desktopInbox.doc, c.id)?.unread === 1, "the desktop shows one unread");
    await waitFor(() => receiptOf(aliceInbox.doc, c.id, bob.id)?.read?.id === ids[1], "alice sees bob read up to m1");
    expect(receiptOf(aliceInbox.doc, c.id, bob.id)?.delivered?.id).toBe(ids[1]);

    // A device back from offline marks an older message: newest wins.
    const stale = await t.api<{ read: MessageMark }>("PUT", `/api/conversations/${c.id}/read`, bob, {
      messageId: ids[0],
    });
    expect(stale.body.read.id).toBe(ids[1]);
    await t.api("PUT", `/api/conversations/${c.id}/read`, bob, { messageId: ids[2] });
    await waitFor(
      () => readsOf(desktopInbox.doc, c.id)?.unread === 0 && readsOf(phoneInbox.doc, c.id)?.unread === 0,
      "nothing unread on either device",
    );
    // It survives: a device opening its inbox afresh reads it from the store.
    const later = t.provider(bob, inboxDocName(bob.id));
    await waitFor(() => later.provider.synced, "a fresh inbox synced");
    expect(readsOf(later.doc, c.id)).toEqual({
      unread: 0,
      read: expect.objectContaining({ id: ids[2] }),
      muted: false,
    });
  });

  it("shows delivery to the sender, hides the read mark of a member who turned read receipts off, and lets nobody mark for another", async () => {
    const t = await startTestServer();
    const { alice, bob, c, name } = await t.twoMembers();
    const carol = await t.signUp("Carol");
    const aliceInbox = t.provider(alice, inboxDocName(alice.id));
    const a = t.provider(alice, name);
    await waitFor(() => a.provider.synced && aliceInbox.provider.synced, "synced");
    const m = addMessage(a.doc, { id: newMessageId(), author: alice.id, text: "hi", createdAt: Date.now() });
    await waitFor(async () => (await t.repo.findMessage(c.id, m.id)) !== null, "indexed");

    expect((await t.api("PUT", `/api/conversations/${c.id}/delivered`, bob, { messageId: m.id })).status).toBe(200);
    await waitFor(() => receiptOf(aliceInbox.doc, c.id, bob.id)?.delivered?.id === m.id, "alice sees it delivered");
    expect(receiptOf(aliceInbox.doc, c.id, bob.id)?.read).toBeNull();

    expect((await t.api("GET", "/api/settings", bob)).body).toEqual({ settings: { readReceipts: true } });
    const bobInbox = t.provider(bob, inboxDocName(bob.id));
    await waitFor(() => inboxSettingsMap(bobInbox.doc).get("readReceipts") === true, "bob's inbox holds his setting");
    expect((await t.api("PATCH", "/api/settings", bob, { readReceipts: false })).status).toBe(200);
    // Every device of bob's follows it live, through his inbox.
    await waitFor(() => inboxSettingsMap(bobInbox.doc).get("readReceipts") === false, "bob's inbox shows it off");
    await t.api("PUT", `/api/conversations/${c.id}/read`, bob, { messageId: m.id });
    const summary = (await t.api<{ conversation: ConversationSummary }>("GET", `/api/conversations/${c.id}`, alice))
      .body.conversation;
    expect(summary.receipts.find((r) => r.userId === bob.id)).toEqual({
      userId: bob.id,
      delivered: expect.objectContaining({ id: m.id }),
      read: null,
    });
    // Turned back on: the mark shows again.
    await t.api("PATCH", "/api/settings", bob, { readReceipts: true });
    await waitFor(() => receiptOf(aliceInbox.doc, c.id, bob.id)?.read?.id === m.id, "the read mark shows again");

    // Nobody marks for another: only the caller's own marks exist, and outsiders get 404.
    expect((await t.api("PUT", `/api/conversations/${c.id}/read`, carol, { messageId: m.id })).status).toBe(404);
    expect((await t.api("PUT", `/api/conversations/${c.id}/delivered`, carol, { messageId: m.id })).status).toBe(404);
    expect((await t.api("PUT", `/api/conversations/${c.id}/read`, bob, { messageId: "unknownmessage1" })).status).toBe(
      404,
    );
    expect(
      (await t.api("PUT", `/api/conversations/${c.id}/read`, bob, { messageId: m.id, userId: alice.id })).status,
    ).toBe(400);
    expect(conversationDocName(c.id, 0)).toBe(name);

    // Marks draw on a budget of their own: a burst of reading leaves sending untouched.
    for (let i = 0; i < 40; i++)
      expect((await t.api("PUT", `/api/conversations/${c.id}/read`, bob, { messageId: m.id })).status).toBe(200);
    const posted = await t.api("POST", `/api/conversations/${c.id}/messages`, bob, { id: newMessageId(), text: "ok" });
    expect(posted.status).toBe(201);
  });
});
