import {
  addMessage,
  deleteMessage,
  editMessage,
  type MessageRecord,
  messagesMap,
  reactionKey,
  reactionsMap,
  SYSTEM_AUTHOR,
  toggleReaction,
} from "@messenger/shared";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { createWorld, id, NOW, post } from "../../test/helpers/validation-world.js";

/** alice and bob, one message each, both replicas in step with the server. */
function chat() {
  const w = createWorld();
  const alice = w.replica();
  const bob = w.replica();
  const a1 = post(alice, "alice");
  w.accept(w.diff(alice), "alice");
  Y.applyUpdate(bob, Y.encodeStateAsUpdate(w.server));
  const b1 = post(bob, "bob");
  w.accept(w.diff(bob), "bob");
  Y.applyUpdate(alice, Y.encodeStateAsUpdate(w.server));
  const sync = () => {
    Y.applyUpdate(alice, Y.encodeStateAsUpdate(w.server));
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(w.server));
  };
  return { ...w, alice, bob, a1, b1, sync };
}

const refusedFor = (reason: string) => ({ ok: false, refusal: "forbidden", reason });

describe("reactions in a segment document", () => {
  it("accepts members toggling their own reactions on any message of the segment, on and off", () => {
    const w = chat();
    toggleReaction(w.alice, { messageId: w.b1.id, userId: "alice", emoji: "👍", at: NOW });
    expect(w.accept(w.diff(w.alice), "alice").changedReactions).toEqual([reactionKey(w.b1.id, "alice")]);
    toggleReaction(w.bob, { messageId: w.b1.id, userId: "bob", emoji: "❤️", at: NOW });
    w.accept(w.diff(w.bob), "bob");
    toggleReaction(w.alice, { messageId: w.b1.id, userId: "alice", emoji: "👍", at: NOW + 1 });
    w.accept(w.diff(w.alice), "alice");
    const stored = reactionsMap(w.server);
    expect(stored.get(reactionKey(w.b1.id, "alice"))?.emoji).toEqual([]);
    expect(stored.get(reactionKey(w.b1.id, "bob"))?.emoji).toEqual(["❤️"]);
  });

  it("refuses a reaction written under another user's key, whatever the record says", () => {
    const w = chat();
    reactionsMap(w.alice).set(reactionKey(w.a1.id, "bob"), {
      messageId: w.a1.id,
      userId: "bob",
      emoji: ["😂"],
      at: NOW,
    });
    expect(w.validate(w.diff(w.alice), "alice")).toMatchObject(refusedFor("writes another user's reaction"));
  });

  it("refuses a record that names another user or message than its key", () => {
    const w = chat();
    const key = reactionKey(w.a1.id, "alice");
    reactionsMap(w.alice).set(key, { messageId: w.a1.id, userId: "bob", emoji: ["😂"], at: NOW });
    expect(w.validate(w.diff(w.alice), "alice")).toMatchObject(refusedFor("reaction differs from its key"));
    const w2 = chat();
    reactionsMap(w2.alice).set(reactionKey(w2.a1.id, "alice"), {
      messageId: w2.b1.id,
      userId: "alice",
      emoji: ["😂"],
      at: NOW,
    });
    expect(w2.validate(w2.diff(w2.alice), "alice")).toMatchObject(refusedFor("reaction differs from its key"));
  });

  it("refuses emoji outside the set, repeated, out of order, or smuggled fields", () => {
    const bad: unknown[] = [
      { emoji: ["🍕"] },
      { emoji: ["👍", "👍"] },
      { emoji: ["❤️", "👍"] },
      { emoji: "👍" },
      { emoji: [1] },
      { emoji: ["👍"], text: "hi" },
      { emoji: ["👍"], at: NOW + 2 * 24 * 3600 * 1000 },
    ];
    for (const patch of bad) {
      const w = chat();
      const key = reactionKey(w.b1.id, "alice");
      reactionsMap(w.alice).set(key, { messageId: w.b1.id, userId: "alice", at: NOW, ...(patch as object) } as never);
      const verdict = w.validate(w.diff(w.alice), "alice");
      expect(verdict.ok, JSON.stringify(patch)).toBe(false);
    }
  });

  it("refuses a reaction to a message the segment does not hold, or to a system line", () => {
    const w = chat();
    toggleReaction(w.alice, { messageId: "msg-elsewhere-01", userId: "alice", emoji: "👍", at: NOW });
    expect(w.validate(w.diff(w.alice), "alice")).toMatchObject(
      refusedFor("reacts to a message this segment does not hold"),
    );
    const w2 = chat();
    const server = w2.replica();
    const line: MessageRecord = {
      id: "sys-line-000001",
      author: SYSTEM_AUTHOR,
      text: "Grace renamed the group",
      createdAt: NOW,
      system: { type: "renamed", actor: "grace", name: "Club" },
    };
    messagesMap(server).set(line.id, line);
    Y.applyUpdate(w2.server, w2.diff(server));
    w2.clients.set(server.clientID, SYSTEM_AUTHOR);
    w2.sync();
    toggleReaction(w2.alice, { messageId: line.id, userId: "alice", emoji: "👍", at: NOW });
    expect(w2.validate(w2.diff(w2.alice), "alice")).toMatchObject(refusedFor("reacts to a system line"));
  });

  it("accepts a message and a reaction to it in one update, as a reconnecting client sends them", () => {
    const w = chat();
    const m = post(w.bob, "bob");
    toggleReaction(w.bob, { messageId: m.id, userId: "bob", emoji: "🙏", at: NOW });
    const verdict = w.accept(w.diff(w.bob), "bob");
    expect(verdict.changedKeys).toEqual([m.id]);
    expect(verdict.changedReactions).toEqual([reactionKey(m.id, "bob")]);
  });

  it("refuses removing a reaction entry outright, one's own or another's", () => {
    const w = chat();
    toggleReaction(w.bob, { messageId: w.a1.id, userId: "bob", emoji: "😮", at: NOW });
    w.accept(w.diff(w.bob), "bob");
    w.sync();
    const own = w.replica();
    reactionsMap(own).delete(reactionKey(w.a1.id, "bob"));
    expect(w.validate(w.diff(own), "bob")).toMatchObject(refusedFor("messages are tombstoned, not removed"));
    const other = w.replica();
    reactionsMap(other).delete(reactionKey(w.a1.id, "bob"));
    const removal = Y.encodeStateAsUpdate(other, Y.encodeStateVector(w.server));
    expect(w.validate(removal, "alice")).toMatchObject(refusedFor("deletes another user's reaction"));
  });

  it("refuses overwriting another user's reaction through a struct whose origin is theirs", () => {
    const w = chat();
    toggleReaction(w.bob, { messageId: w.a1.id, userId: "bob", emoji: "😮", at: NOW });
    w.accept(w.diff(w.bob), "bob");
    w.sync();
    // alice's replica writes bob's key: yjs sets the origin to bob's current item.
    reactionsMap(w.alice).set(reactionKey(w.a1.id, "bob"), {
      messageId: w.a1.id,
      userId: "bob",
      emoji: [],
      at: NOW,
    });
    expect(w.validate(w.diff(w.alice), "alice")).toMatchObject(refusedFor("writes another user's reaction"));
  });

  it("proves concurrent reactions of one user from two devices on a copy, and accepts the honest outcome", () => {
    const w = chat();
    const phone = w.replica();
    toggleReaction(w.alice, { messageId: w.b1.id, userId: "alice", emoji: "👍", at: NOW });
    toggleReaction(phone, { messageId: w.b1.id, userId: "alice", emoji: "❤️", at: NOW });
    w.accept(w.diff(w.alice), "alice");
    w.accept(w.diff(phone), "alice");
    expect(reactionsMap(w.server).get(reactionKey(w.b1.id, "alice"))?.emoji).toHaveLength(1);
  });
});

describe("replies", () => {
  it("accepts a reply and keeps its replyTo through an edit and a deletion", () => {
    const w = chat();
    const reply = addMessage(w.alice, { id: id(), author: "alice", text: "yes!", createdAt: NOW, replyTo: w.b1.id });
    w.accept(w.diff(w.alice), "alice");
    editMessage(w.alice, reply.id, "alice", "yes, sure", NOW + 1);
    w.accept(w.diff(w.alice), "alice");
    expect(messagesMap(w.server).get(reply.id)).toMatchObject({ replyTo: w.b1.id, text: "yes, sure" });
    deleteMessage(w.alice, reply.id, "alice", NOW + 2);
    w.accept(w.diff(w.alice), "alice");
    expect(messagesMap(w.server).get(reply.id)).toMatchObject({ replyTo: w.b1.id, text: "" });
  });

  it("refuses an edit that changes or drops what the message replies to", () => {
    const w = chat();
    const reply = addMessage(w.alice, { id: id(), author: "alice", text: "yes!", createdAt: NOW, replyTo: w.b1.id });
    w.accept(w.diff(w.alice), "alice");
    messagesMap(w.alice).set(reply.id, { ...reply, replyTo: w.a1.id, editedAt: NOW });
    expect(w.validate(w.diff(w.alice), "alice")).toMatchObject(refusedFor("replyTo cannot change"));
    const w2 = chat();
    const r2 = addMessage(w2.alice, { id: id(), author: "alice", text: "yes!", createdAt: NOW, replyTo: w2.b1.id });
    w2.accept(w2.diff(w2.alice), "alice");
    const { replyTo: _dropped, ...rest } = r2;
    messagesMap(w2.alice).set(r2.id, { ...rest, editedAt: NOW });
    expect(w2.validate(w2.diff(w2.alice), "alice")).toMatchObject(refusedFor("replyTo cannot change"));
  });

  it("refuses a replyTo that is not a message id, or the message itself", () => {
    for (const replyTo of ["x", "../../etc", 42, "a".repeat(65)]) {
      const w = chat();
      const mid = id();
      messagesMap(w.alice).set(mid, { id: mid, author: "alice", text: "hi", createdAt: NOW, replyTo } as never);
      expect(w.validate(w.diff(w.alice), "alice")).toMatchObject({ ok: false, reason: "invalid message: bad replyTo" });
    }
    const w = chat();
    const mid = id();
    messagesMap(w.alice).set(mid, { id: mid, author: "alice", text: "hi", createdAt: NOW, replyTo: mid });
    expect(w.validate(w.diff(w.alice), "alice")).toMatchObject({ ok: false, reason: "invalid message: bad replyTo" });
  });
});
