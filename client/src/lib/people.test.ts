import type { UserSummary } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { matchesQuery, peopleList } from "./people.js";

const user = (id: string, name: string, username: string | null = null): UserSummary => ({
  id,
  name,
  username,
  online: false,
  lastSeenAt: null,
});

describe("matchesQuery", () => {
  it("matches name or username ignoring case and surrounding spaces", () => {
    const bob = user("b", "Bob Baker", "bobby");
    expect(matchesQuery(bob, " baker ")).toBe(true);
    expect(matchesQuery(bob, "BOBBY")).toBe(true);
    expect(matchesQuery(bob, "carol")).toBe(false);
    expect(matchesQuery(bob, "")).toBe(true);
  });
});

describe("peopleList", () => {
  it("leaves me out and puts online people first, then the most recently seen, then by name", () => {
    const users = [user("me", "Me"), user("a", "Ann"), user("b", "Bea"), user("c", "Cid"), user("d", "Dee")];
    const presence: Record<string, { online: boolean; lastSeenAt: number | null }> = {
      c: { online: true, lastSeenAt: null },
      d: { online: false, lastSeenAt: 2000 },
      b: { online: false, lastSeenAt: 1000 },
    };
    const order = peopleList(users, "me", "", (id) => presence[id] ?? { online: false, lastSeenAt: null });
    expect(order.map((u) => u.id)).toEqual(["c", "d", "b", "a"]);
  });
});
