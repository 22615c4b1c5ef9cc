import type { MemberReceipt } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { receiptFor, receiptLabel } from "./receipts.js";

const msg = { at: 100, id: "m1" };
const mark = (at: number) => ({ at, id: `x${at}` });
const rec = (userId: string, delivered: number | null, read: number | null): MemberReceipt => ({
  userId,
  delivered: delivered === null ? null : mark(delivered),
  read: read === null ? null : mark(read),
});
const names: Record<string, string> = { bob: "Bob", carol: "Carol", dave: "Dave" };
const nameOf = (id: string) => names[id] ?? "Someone";
const direct = (receipts: MemberReceipt[], o: { pending?: boolean; showRead?: boolean } = {}) =>
  receiptFor(msg, {
    pending: o.pending ?? false,
    receipts,
    memberIds: ["me", "bob"],
    me: "me",
    showRead: o.showRead ?? true,
  });

describe("receipts on my messages", () => {
  it("goes pending → sent → delivered → read in a direct conversation", () => {
    expect(direct([], { pending: true }).status).toBe("pending");
    expect(direct([rec("me", 100, 100), rec("bob", 50, 50)]).status).toBe("sent");
    expect(direct([rec("bob", 100, 50)]).status).toBe("delivered");
    const read = direct([rec("bob", 150, 150)]);
    expect(read).toEqual({ status: "read", readBy: ["bob"], others: 1 });
    expect(receiptLabel(read, nameOf, false)).toBe("Read by Bob");
  });

  it("counts my own marks for nothing: only the others' devices deliver", () => {
    expect(direct([rec("me", 200, 200)]).status).toBe("sent");
  });

  it("shows only delivery while my read receipts are off", () => {
    const r = direct([rec("bob", 150, 150)], { showRead: false });
    expect(r.status).toBe("delivered");
    expect(receiptLabel(r, nameOf, false)).toBe("Delivered");
  });

  it("says how many of a group read it, and styles it read once everyone has", () => {
    const group = (receipts: MemberReceipt[]) =>
      receiptFor(msg, {
        pending: false,
        receipts,
        memberIds: ["me", "bob", "carol", "dave"],
        me: "me",
        showRead: true,
      });
    const some = group([rec("bob", 100, 100), rec("carol", 100, null), rec("dave", null, null)]);
    expect(some).toEqual({ status: "read-some", readBy: ["bob"], others: 3 });
    expect(receiptLabel(some, nameOf, true)).toBe("Read by 1 of 3");
    const all = group([rec("bob", 100, 100), rec("carol", 120, 120), rec("dave", 300, 300)]);
    expect(all.status).toBe("read");
    expect(receiptLabel(all, nameOf, true)).toBe("Read by 3 of 3");
  });
});
