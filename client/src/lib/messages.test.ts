import type { Message, MessageRecord } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { mergeMessages, recordFromMessage, timelineRows } from "./messages.js";

const T0 = Date.UTC(2024, 4, 15, 8, 0);
const rec = (id: string, at: number, author = "a", extra: Partial<MessageRecord> = {}): MessageRecord => ({
  id,
  author,
  text: `text ${id}`,
  createdAt: at,
  ...extra,
});

describe("mergeMessages", () => {
  it("merges documents and pages into one list sorted oldest first", () => {
    const head = [rec("m00000003", T0 + 3), rec("m00000004", T0 + 4)];
    const older = [rec("m00000001", T0 + 1), rec("m00000002", T0 + 2)];
    expect(mergeMessages([head, older]).map((m) => m.id)).toEqual(["m00000001", "m00000002", "m00000003", "m00000004"]);
  });

  it("keeps one copy of a message found in several sources", () => {
    const a = rec("m00000001", T0);
    expect(mergeMessages([[a], [{ ...a }], [a]])).toHaveLength(1);
  });

  it("prefers a deletion over the original text", () => {
    const original = rec("m00000001", T0);
    const deleted = { ...original, text: "", deletedAt: T0 + 10 };
    expect(mergeMessages([[original], [deleted]])[0]).toEqual(deleted);
    expect(mergeMessages([[deleted], [original]])[0]).toEqual(deleted);
  });

  it("breaks timestamp ties by id so every replica agrees", () => {
    const merged = mergeMessages([[rec("m0000000b", T0), rec("m0000000a", T0)]]);
    expect(merged.map((m) => m.id)).toEqual(["m0000000a", "m0000000b"]);
  });
});

describe("recordFromMessage", () => {
  it("drops null edit and delete times and renames the author field", () => {
    const m: Message = {
      id: "m00000001",
      conversationId: "c1",
      authorId: "u1",
      text: "hi",
      createdAt: T0,
      editedAt: null,
      deletedAt: null,
      segment: 0,
      replyTo: null,
      reactions: [],
    };
    expect(recordFromMessage(m)).toEqual({ id: "m00000001", author: "u1", text: "hi", createdAt: T0 });
  });

  it("keeps what a history message replies to", () => {
    const m: Message = {
      id: "m00000002",
      conversationId: "c1",
      authorId: "u1",
      text: "yes",
      createdAt: T0,
      editedAt: null,
      deletedAt: null,
      segment: 0,
      replyTo: "m00000001",
      reactions: [],
    };
    expect(recordFromMessage(m).replyTo).toBe("m00000001");
  });
});

describe("timelineRows", () => {
  const opts = { timeZone: "UTC" };
  const HOUR = 3_600_000;

  it("puts a day separator before the first message of each day", () => {
    const rows = timelineRows(
      [rec("m1aaaaaaa", T0), rec("m2aaaaaaa", T0 + HOUR), rec("m3aaaaaaa", T0 + 24 * HOUR)],
      opts,
    );
    expect(rows.map((r) => r.key)).toEqual(["day:2024-05-15", "m1aaaaaaa", "m2aaaaaaa", "day:2024-05-16", "m3aaaaaaa"]);
  });

  it("starts a new run when the author changes or after a long pause", () => {
    const rows = timelineRows(
      [
        rec("m1aaaaaaa", T0, "a"),
        rec("m2aaaaaaa", T0 + 1000, "a"),
        rec("m3aaaaaaa", T0 + 2000, "b"),
        rec("m4aaaaaaa", T0 + HOUR, "b"),
      ],
      opts,
    );
    const runs = rows.flatMap((r) => (r.kind === "message" ? [r.startsRun] : []));
    expect(runs).toEqual([true, false, true, true]);
  });

  it("reuses unchanged rows from the previous render", () => {
    const list = [rec("m1aaaaaaa", T0), rec("m2aaaaaaa", T0 + 1000)];
    const first = timelineRows(list, opts);
    const second = timelineRows([...list, rec("m3aaaaaaa", T0 + 2000)], opts, new Map(first.map((r) => [r.key, r])));
    expect(second[1]).toBe(first[1]);
    expect(second[2]).toBe(first[2]);
  });

  it("returns no rows for no messages", () => {
    expect(timelineRows([], opts)).toEqual([]);
  });
});
