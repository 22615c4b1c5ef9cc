/**
 * A conversation's timeline: messages from live segment documents and from HTTP
 * history pages, merged into one list (deduplicated by id, ordered with the shared
 * compareMessages), then cut into rows with a separator for every calendar day.
 */
import { compareMessages, type Message, type MessageRecord, startOfDay } from "@messenger/shared";
import { dayKey, type FormatOptions } from "./time-format.js";

/** An HTTP history message in the document record shape. */
export function recordFromMessage(m: Message): MessageRecord {
  const r: MessageRecord = { id: m.id, author: m.authorId, text: m.text, createdAt: m.createdAt };
  if (m.editedAt !== null) r.editedAt = m.editedAt;
  if (m.deletedAt !== null) r.deletedAt = m.deletedAt;
  if (m.replyTo !== null) r.replyTo = m.replyTo;
  return r;
}

function revision(r: MessageRecord): number {
  return Math.max(r.createdAt, r.editedAt ?? 0, r.deletedAt ?? 0);
}

/**
 * Merges message lists (each in any order) into one list, oldest first. A message
 * present in several sources appears once: the newest revision wins (a deletion or an
 * edit beats the original), and on a tie the earlier source wins, so pass live
 * documents before cached pages.
 */
export function mergeMessages(sources: ReadonlyArray<ReadonlyArray<MessageRecord>>): MessageRecord[] {
  const byId = new Map<string, MessageRecord>();
  for (const source of sources) {
    for (const r of source) {
      const seen = byId.get(r.id);
      if (!seen || revision(r) > revision(seen)) byId.set(r.id, r);
    }
  }
  return Array.from(byId.values()).sort(compareMessages);
}

export type TimelineRow =
  | { kind: "day"; key: string; at: number }
  | {
      kind: "message";
      key: string;
      record: MessageRecord /** First of a run by one author on one day. */;
      startsRun: boolean;
    };

/** Messages by one author closer than this stay in one visual run (no repeated spacing). */
export const RUN_GAP_MS = 5 * 60_000;

/**
 * Rows for a sorted message list: a day row before the first message of each calendar
 * day (in the viewer's time zone), then the messages. Rows are reused from `previous`
 * when nothing about them changed, so a keyed list renderer keeps their DOM nodes.
 */
export function timelineRows(
  messages: ReadonlyArray<MessageRecord>,
  opts: FormatOptions = {},
  previous: ReadonlyMap<string, TimelineRow> = new Map(),
): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const timeZone = opts.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  let currentDay = "";
  // Bounds of currentDay: Intl is only asked again when a message falls outside them.
  let dayStart = Number.POSITIVE_INFINITY;
  let nextDayStart = Number.NEGATIVE_INFINITY;
  let prev: MessageRecord | undefined;
  for (const record of messages) {
    let day = currentDay;
    if (record.createdAt < dayStart || record.createdAt >= nextDayStart) {
      dayStart = startOfDay(record.createdAt, timeZone);
      nextDayStart = startOfDay(dayStart + 30 * 3_600_000, timeZone);
      day = dayKey(record.createdAt, { ...opts, timeZone });
    }
    let newDay = false;
    if (day !== currentDay) {
      currentDay = day;
      newDay = true;
      const key = `day:${day}`;
      const old = previous.get(key);
      rows.push(
        old && old.kind === "day" && old.at === record.createdAt ? old : { kind: "day", key, at: record.createdAt },
      );
    }
    const startsRun =
      newDay || !prev || prev.author !== record.author || record.createdAt - prev.createdAt > RUN_GAP_MS;
    const old = previous.get(record.id);
    rows.push(
      old && old.kind === "message" && old.record === record && old.startsRun === startsRun
        ? old
        : { kind: "message", key: record.id, record, startsRun },
    );
    prev = record;
  }
  return rows;
}
