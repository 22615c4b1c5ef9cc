/**
 * What a message of mine shows about its way to the others: pending (clock: the relay has not
 * confirmed it) → sent (one tick) → delivered (two ticks: a device of some other member has it)
 * → read (two highlighted ticks: every other member's read mark passed it; in a group "read by
 * 3 of 6" once anyone has, the six being the members other than me). Marks come from the
 * conversation summary's receipts, live in the inbox. With my own read receipts off, read marks
 * are not shown (delivery still is); the server already hides those of members who turned theirs off.
 */
import type { MemberReceipt, MessageMark } from "@messenger/shared";
import { covers } from "./unread.js";

export type ReceiptStatus = "pending" | "sent" | "delivered" | "read-some" | "read";

export interface Receipt {
  status: ReceiptStatus;
  /** Other members whose read mark passed the message (empty while read receipts are hidden). */
  readBy: string[];
  /** Members other than me. */
  others: number;
}

export function receiptFor(
  message: MessageMark,
  o: {
    pending: boolean;
    receipts: readonly MemberReceipt[];
    memberIds: readonly string[];
    me: string;
    /** My read receipts setting: off hides everyone's read marks from me. */
    showRead: boolean;
  },
): Receipt {
  const others = o.memberIds.filter((id) => id !== o.me);
  if (o.pending) return { status: "pending", readBy: [], others: others.length };
  const byUser = new Map(o.receipts.map((r) => [r.userId, r]));
  const readBy = o.showRead ? others.filter((id) => covers(byUser.get(id)?.read, message)) : [];
  const delivered = others.some((id) => {
    const r = byUser.get(id);
    return covers(r?.delivered, message) || covers(r?.read, message);
  });
  const status: ReceiptStatus =
    readBy.length > 0 && readBy.length === others.length
      ? "read"
      : readBy.length > 0
        ? "read-some"
        : delivered
          ? "delivered"
          : "sent";
  return { status, readBy, others: others.length };
}

/** The words for a receipt: its accessible name and tooltip. */
export function receiptLabel(r: Receipt, nameOf: (id: string) => string, group: boolean): string {
  switch (r.status) {
    case "pending":
      return "Waiting to send";
    case "sent":
      return "Sent";
    case "delivered":
      return "Delivered";
    default:
      return group || r.readBy.length !== 1
        ? `Read by ${r.readBy.length} of ${r.others}`
        : `Read by ${nameOf(r.readBy[0] as string)}`;
  }
}
