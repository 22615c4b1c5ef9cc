import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type MessageRecord, SEGMENT_MESSAGES } from "@messenger/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "../db/database.js";
import { type ConversationRepo, createConversationRepo } from "./conversation-repo.js";

const T0 = Date.parse("2026-11-26T10:00:00Z");
let dir: string;
let db: Db;
let now: number;
let repo: ConversationRepo;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "repo-test-"));
  db = openDatabase(path.join(dir, "db.sqlite"));
  now = T0;
  repo = createConversationRepo(db, () => now);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const msg = (i: number, author = "alice"): MessageRecord => ({
  id: `m${String(i).padStart(7, "0")}`,
  author,
  text: `message ${i}`,
  createdAt: T0 + i * 1000,
});

describe("conversation repository", () => {
  it("gives a pair the same conversation whichever member asks", () => {
    const first = repo.getOrCreateDirect("alice", "bob");
    const second = repo.getOrCreateDirect("bob", "alice");
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.conversation.id).toBe(first.conversation.id);
    expect(first.conversation.memberIds).toEqual(["alice", "bob"]);
    expect(first.conversation.documents).toEqual([`conversation.${first.conversation.id}.0`]);
  });

  it("lists a user's conversations by last activity with a preview of the last message", () => {
    const ab = repo.getOrCreateDirect("alice", "bob").conversation;
    now += 1000;
    const ac = repo.getOrCreateDirect("alice", "carol").conversation;
    repo.indexMessages(ab.id, 0, [msg(5)]);
    const list = repo.listForUser("alice");
    expect(list.map((c) => c.id)).toEqual([ab.id, ac.id]);
    expect(list[0]?.lastMessage).toMatchObject({ id: msg(5).id, authorId: "alice", text: "message 5", deleted: false });
    expect(repo.listForUser("bob").map((c) => c.id)).toEqual([ab.id]);
  });

  it("pages messages newest-first by cursor and reports whether older ones exist", () => {
    const c = repo.getOrCreateDirect("alice", "bob").conversation;
    repo.indexMessages(
      c.id,
      0,
      Array.from({ length: 25 }, (_, i) => msg(i)),
    );
    const newest = repo.messagesPage(c.id, undefined, 10);
    expect(newest?.messages.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `message ${15 + i}`));
    expect(newest?.hasMore).toBe(true);
    const older = repo.messagesPage(c.id, newest?.messages[0]?.id, 10);
    expect(older?.messages[0]?.text).toBe("message 5");
    const oldest = repo.messagesPage(c.id, older?.messages[0]?.id, 10);
    expect(oldest?.messages).toHaveLength(5);
    expect(oldest?.hasMore).toBe(false);
    expect(repo.messagesPage(c.id, "m9999999", 10)).toBeNull();
  });

  it("moves the head segment on once it holds a full segment of messages", () => {
    const c = repo.getOrCreateDirect("alice", "bob").conversation;
    const first = repo.indexMessages(
      c.id,
      0,
      Array.from({ length: SEGMENT_MESSAGES - 1 }, (_, i) => msg(i)),
    );
    expect(first?.headMoved).toBe(false);
    const second = repo.indexMessages(c.id, 0, [msg(SEGMENT_MESSAGES)]);
    expect(second?.headMoved).toBe(true);
    expect(second?.summary.headSegment).toBe(1);
    expect(second?.summary.documents).toEqual([`conversation.${c.id}.1`, `conversation.${c.id}.0`]);
  });

  it("keeps an edited message in its first segment and first position", () => {
    const c = repo.getOrCreateDirect("alice", "bob").conversation;
    repo.indexMessages(c.id, 0, [msg(1)]);
    repo.indexMessages(c.id, 0, [{ ...msg(1), text: "edited", editedAt: T0 + 9000 }]);
    expect(repo.findMessage(c.id, msg(1).id)).toMatchObject({ text: "edited", segment: 0, editedAt: T0 + 9000 });
    expect(repo.segmentOf(c.id, msg(1).id)).toEqual({ segment: 0, authorId: "alice" });
  });
});
