import {
  addMessage,
  deleteMessage,
  editMessage,
  inboxMap,
  type MessageRecord,
  messageRecordProblem,
  messagesMap,
} from "@messenger/shared";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { writeUpdate } from "../../test/helpers/update-bytes.js";
import { createWorld, id, NOW, post } from "../../test/helpers/validation-world.js";

/** World with history: alice and bob wrote, edited and deleted a few messages. */
function worldWithHistory() {
  const w = createWorld();
  const alice = w.replica();
  const bob = w.replica();
  const a1 = post(alice, "alice");
  w.accept(w.diff(alice), "alice");
  Y.applyUpdate(bob, Y.encodeStateAsUpdate(w.server));
  const b1 = post(bob, "bob");
  editMessage(bob, b1.id, "bob", "edited", NOW);
  w.accept(w.diff(bob), "bob");
  Y.applyUpdate(alice, Y.encodeStateAsUpdate(w.server));
  return { ...w, alice, bob, a1, b1 };
}

describe("validateUpdate", () => {
  it("refuses a deleted entry planted on a new key, which would hide the message later written under that id", () => {
    const w = createWorld();
    const planted = new Y.Item(
      Y.createID(0xfffffff0, 0),
      null,
      null,
      null,
      null,
      "messages" as unknown as Y.AbstractType<unknown>,
      "msg-victim-00001",
      new Y.ContentDeleted(1),
    );
    const update = writeUpdate({ sections: [{ client: 0xfffffff0, clock: 0, structs: [planted] }], ds: [] });
    expect(w.validate(update, "alice")).toMatchObject({
      ok: false,
      refusal: "forbidden",
      reason: "messages are tombstoned, not removed",
    });
  });

  it("refuses clocks past 2^53 as malformed, since two structs could share one id", () => {
    const w = createWorld();
    const gc = new Y.GC(Y.createID(77, 0), 2 ** 53 - 1);
    const item = new Y.Item(
      Y.createID(77, 2 ** 53 - 1),
      null,
      null,
      null,
      null,
      "messages" as unknown as Y.AbstractType<unknown>,
      "msg-far-0000001",
      new Y.ContentAny([{ id: "msg-far-0000001", author: "alice", text: "x", createdAt: NOW }]),
    );
    const update = writeUpdate({ sections: [{ client: 77, clock: 0, structs: [gc, item] }], ds: [] });
    expect(w.validate(update, "alice")).toMatchObject({
      ok: false,
      refusal: "malformed",
      reason: "clock out of range",
    });
  });

  it("accepts a member adding, editing and tombstoning their own messages", () => {
    const w = worldWithHistory();
    const m = post(w.alice, "alice");
    expect(w.accept(w.diff(w.alice), "alice").changedKeys).toEqual([m.id]);
    expect(editMessage(w.alice, m.id, "alice", "changed", NOW)).toBe(true);
    w.accept(w.diff(w.alice), "alice");
    expect(deleteMessage(w.alice, w.a1.id, "alice", NOW)).toBe(true);
    w.accept(w.diff(w.alice), "alice");
    expect(messagesMap(w.server).get(w.a1.id)?.deletedAt).toBe(NOW);
    expect(messagesMap(w.server).get(m.id)?.text).toBe("changed");
  });

  it("treats a resend of what the server already has as a no-op", () => {
    const w = worldWithHistory();
    const verdict = w.validate(Y.encodeStateAsUpdate(w.alice), "alice");
    expect(verdict).toMatchObject({ ok: true, noop: true });
  });

  it("rejects a forged author", () => {
    const w = worldWithHistory();
    addMessage(w.alice, { id: id(), author: "bob", text: "I am bob", createdAt: NOW });
    expect(w.validate(w.diff(w.alice), "alice")).toMatchObject({ ok: false, refusal: "forbidden" });
  });

  it("rejects editing someone else's message, whatever author it claims", () => {
    const w = worldWithHistory();
    const map = messagesMap(w.alice);
    map.set(w.b1.id, { ...(map.get(w.b1.id) as MessageRecord), text: "hacked" });
    expect(w.validate(w.diff(w.alice), "alice").ok).toBe(false);
    const w2 = worldWithHistory();
    const map2 = messagesMap(w2.alice);
    map2.set(w2.b1.id, { ...(map2.get(w2.b1.id) as MessageRecord), author: "alice", text: "mine now" });
    expect(w2.validate(w2.diff(w2.alice), "alice").ok).toBe(false);
  });

  it("rejects deleting or tombstoning someone else's message", () => {
    const w = worldWithHistory();
    messagesMap(w.alice).delete(w.b1.id);
    expect(w.validate(w.diff(w.alice), "alice").ok).toBe(false);
    const w2 = worldWithHistory();
    deleteMessage(w2.alice, w2.b1.id, "bob", NOW);
    expect(w2.validate(w2.diff(w2.alice), "alice").ok).toBe(false);
  });

  it("rejects removing one's own message outright: messages are tombstoned", () => {
    const w = worldWithHistory();
    messagesMap(w.alice).delete(w.a1.id);
    expect(w.validate(w.diff(w.alice), "alice")).toMatchObject({
      ok: false,
      reason: "messages are tombstoned, not removed",
    });
  });

  it("rejects changing createdAt on edit", () => {
    const w = worldWithHistory();
    messagesMap(w.alice).set(w.a1.id, { ...w.a1, text: "x", createdAt: w.a1.createdAt + 1 });
    expect(w.validate(w.diff(w.alice), "alice").ok).toBe(false);
  });

  it("rejects writes outside the schema: other roots, nested types, array inserts, text", () => {
    const cases: Array<(doc: Y.Doc) => void> = [
      (d) => d.getMap("other").set("x", 1),
      (d) => messagesMap(d).set(id(), new Y.Map() as unknown as MessageRecord),
      (d) => messagesMap(d).set(id(), new Y.Text("t") as unknown as MessageRecord),
      (d) => d.getArray("list").push([{ id: id(), author: "alice", text: "x", createdAt: NOW }]),
      (d) => d.getText("notes").insert(0, "hi"),
      (d) => messagesMap(d).set("short", { id: "short", author: "alice", text: "x", createdAt: NOW }),
      (d) => {
        const k = id();
        messagesMap(d).set(k, { id: k, author: "alice", text: "x", createdAt: NOW, extra: 1 } as MessageRecord);
      },
      (d) => {
        const k = id();
        messagesMap(d).set(k, { id: k, author: "alice", text: "   ", createdAt: NOW });
      },
      (d) => {
        const k = id();
        messagesMap(d).set(k, { id: `${k}x`, author: "alice", text: "x", createdAt: NOW });
      },
      (d) => {
        const k = id();
        messagesMap(d).set(k, { id: k, author: "alice", text: "x", createdAt: NOW + 2 * 24 * 3600_000 });
      },
      (d) => messagesMap(d).set(id(), "just a string" as unknown as MessageRecord),
    ];
    for (const write of cases) {
      const w = worldWithHistory();
      write(w.alice);
      const verdict = w.validate(w.diff(w.alice), "alice");
      expect(verdict.ok, write.toString()).toBe(false);
    }
  });

  it("rejects an array insert into a root named messages", () => {
    const w = createWorld();
    const doc = new Y.Doc();
    doc.getArray("messages").push([{ id: id(), author: "alice", text: "x", createdAt: NOW }]);
    expect(w.validate(Y.encodeStateAsUpdate(doc), "alice")).toMatchObject({ ok: false, reason: "not a map entry" });
  });

  it("rejects structs under a client id that belongs to another user", () => {
    const w = worldWithHistory();
    const bobClient = [...w.clients].find(([, u]) => u === "bob")?.[0] as number;
    const forged = w.replica(bobClient);
    post(forged, "alice");
    expect(w.validate(w.diff(forged), "alice")).toMatchObject({
      ok: false,
      reason: "client id belongs to another user",
    });
  });

  it("rejects an update with missing history instead of leaving it pending", () => {
    const w = worldWithHistory();
    const updates: Uint8Array[] = [];
    w.alice.on("update", (u: Uint8Array) => updates.push(u));
    post(w.alice, "alice");
    post(w.alice, "alice");
    expect(w.validate(updates[1] as Uint8Array, "alice").ok).toBe(false);
    w.accept(updates[0] as Uint8Array, "alice");
    w.accept(updates[1] as Uint8Array, "alice");
  });

  it("refuses a message id that is indexed in another segment", () => {
    const w = worldWithHistory();
    const m = post(w.alice, "alice");
    w.indexed.set(m.id, { segment: 3, authorId: "alice" });
    expect(w.validate(w.diff(w.alice), "alice")).toMatchObject({
      ok: false,
      reason: "message id belongs to another segment",
    });
  });

  it("calls V2 updates, truncated updates and trailing bytes malformed", () => {
    const w = worldWithHistory();
    post(w.alice, "alice");
    const v1 = w.diff(w.alice);
    const v2 = Y.encodeStateAsUpdateV2(w.alice, Y.encodeStateVector(w.server));
    expect(w.validate(v2, "alice")).toMatchObject({ ok: false, refusal: "malformed" });
    expect(w.validate(Y.encodeStateAsUpdateV2(new Y.Doc()), "alice")).toMatchObject({
      ok: false,
      refusal: "malformed",
    });
    for (let cut = 1; cut < v1.length; cut++) {
      expect(w.validate(v1.subarray(0, cut), "alice").ok).toBe(false);
    }
    expect(w.validate(new Uint8Array([...v1, 0]), "alice")).toMatchObject({ ok: false, refusal: "malformed" });
  });

  it("keeps inbox documents read-only but tolerates a resend", () => {
    const w = createWorld("inbox");
    const writer = new Y.Doc();
    inboxMap(writer).set("c1", { id: "c1" } as never);
    Y.applyUpdate(w.server, Y.encodeStateAsUpdate(writer));
    const reader = w.replica();
    expect(w.validate(Y.encodeStateAsUpdate(reader), "u1")).toMatchObject({ ok: true, noop: true });
    inboxMap(reader).set("c2", { id: "c2" } as never);
    expect(w.validate(w.diff(reader), "u1").ok).toBe(false);
    inboxMap(reader).delete("c1");
    expect(w.validate(Y.encodeStateAsUpdate(reader), "u1").ok).toBe(false);
  });

  it("gives the right verdict on many random valid and invalid updates, and never throws on junk", () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const w = createWorld();
    const users = ["alice", "bob", "carol"];
    const replicas = new Map(users.map((u) => [u, w.replica()]));
    const sync = (doc: Y.Doc) => Y.applyUpdate(doc, Y.encodeStateAsUpdate(w.server));
    let accepted = 0;
    let rejected = 0;
    for (let round = 0; round < 400; round++) {
      const user = pick(users);
      const doc = replicas.get(user) as Y.Doc;
      sync(doc);
      const map = messagesMap(doc);
      const own = [...map.values()].filter((r) => r.author === user && r.deletedAt === undefined);
      const others = [...map.values()].filter((r) => r.author !== user);
      const mode = rand();
      if (mode < 0.55) {
        // valid: add, edit or delete own messages, sent as a per-transaction update or a diff
        const updates: Uint8Array[] = [];
        const onUpdate = (u: Uint8Array) => updates.push(u);
        doc.on("update", onUpdate);
        const action = rand();
        if (action < 0.5 || own.length === 0) post(doc, user, `text ${round}`);
        else if (action < 0.8) editMessage(doc, pick(own).id, user, `edit ${round}`, NOW);
        else deleteMessage(doc, pick(own).id, user, NOW);
        doc.off("update", onUpdate);
        const update = rand() < 0.5 ? w.diff(doc) : Y.mergeUpdates(updates);
        w.accept(update, user);
        accepted++;
        // and the same update with random byte flips: a verdict, never a throw, never a broken doc
        const flipped = update.slice();
        for (let f = 0; f < 1 + Math.floor(rand() * 3); f++) {
          const at = Math.floor(rand() * flipped.length);
          flipped[at] = (flipped[at] as number) ^ (1 << Math.floor(rand() * 8));
        }
        const verdict = w.validate(flipped, user);
        if (verdict.ok && !verdict.noop) {
          const copy = new Y.Doc();
          Y.applyUpdate(copy, Y.encodeStateAsUpdate(w.server));
          Y.applyUpdate(copy, flipped);
          for (const [key, r] of messagesMap(copy)) {
            expect(messageRecordProblem(r)).toBeNull();
            expect(r.id).toBe(key);
            const before = messagesMap(w.server).get(key);
            expect(r.author).toBe(before ? before.author : user);
          }
        }
      } else {
        // invalid: a forgery of some kind
        const forged = new Y.Doc();
        forged.clientID = doc.clientID;
        Y.applyUpdate(forged, Y.encodeStateAsUpdate(doc));
        const fmap = messagesMap(forged);
        const kind = Math.floor(rand() * 6);
        if (kind === 0)
          addMessage(forged, { id: id(), author: pick(users.filter((u) => u !== user)), text: "x", createdAt: NOW });
        else if (kind === 1 && others.length > 0) {
          const victim = pick(others);
          fmap.set(victim.id, { ...victim, text: "hacked", editedAt: NOW });
        } else if (kind === 2 && others.length > 0) fmap.delete(pick(others).id);
        else if (kind === 3) forged.getMap("elsewhere").set("k", "v");
        else if (kind === 4) fmap.set(id(), new Y.Map() as unknown as MessageRecord);
        else {
          const foreign = [...w.clients].find(([, u]) => u !== user);
          if (foreign) forged.clientID = foreign[0];
          post(forged, user);
          if (!foreign) forged.getArray("arr").push([1]);
        }
        const verdict = w.validate(w.diff(forged), user);
        expect(verdict.ok, `forgery kind ${kind}`).toBe(false);
        rejected++;
        const junk = new Uint8Array(Math.floor(rand() * 64));
        for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rand() * 256);
        expect(() => w.validate(junk, user)).not.toThrow();
      }
    }
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});
