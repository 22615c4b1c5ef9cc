import { isMessageRecord, matchesTokens, searchTokens } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import {
  DEMO_CONVERSATIONS,
  DEMO_GROUPS,
  DEMO_PASSWORD,
  DEMO_USERS,
  planMessages,
  SEARCH_NEEDLE,
  withNeedle,
} from "./index.js";

describe("demo data", () => {
  it("has at least eight users with distinct usernames and one password of 10+ characters", () => {
    expect(DEMO_USERS.length).toBeGreaterThanOrEqual(8);
    expect(new Set(DEMO_USERS.map((u) => u.username)).size).toBe(DEMO_USERS.length);
    expect(DEMO_PASSWORD.length).toBeGreaterThanOrEqual(10);
  });

  it("only plans conversations between demo users, one per pair", () => {
    const usernames = new Set(DEMO_USERS.map((u) => u.username));
    const pairs = DEMO_CONVERSATIONS.map((c) => [...c.between].sort().join(":"));
    expect(new Set(pairs).size).toBe(pairs.length);
    for (const c of DEMO_CONVERSATIONS) for (const u of c.between) expect(usernames.has(u)).toBe(true);
  });

  it("plans valid messages, oldest first, ending at the given time, the same every time", () => {
    const end = Date.UTC(2025, 5, 1, 12);
    const messages = planMessages(0, ["user-a", "user-b"], 500, end, 10 * 24 * 60 * 60 * 1000);
    expect(messages).toHaveLength(500);
    expect(messages.every(isMessageRecord)).toBe(true);
    expect(messages.at(-1)?.createdAt).toBe(end);
    for (let i = 1; i < messages.length; i++)
      expect(messages[i]?.createdAt).toBeGreaterThan(messages[i - 1]?.createdAt as number);
    expect(new Set(messages.map((m) => m.id)).size).toBe(500);
    expect(new Set(messages.map((m) => m.author))).toEqual(new Set(["user-a", "user-b"]));
    expect(planMessages(0, ["user-a", "user-b"], 500, end, 10 * 24 * 60 * 60 * 1000)).toEqual(messages);
  });

  it("plans two groups of demo users, 2-255 others each, and messages by every member", () => {
    const usernames = new Set(DEMO_USERS.map((u) => u.username));
    expect(DEMO_GROUPS).toHaveLength(2);
    for (const g of DEMO_GROUPS) {
      expect(g.members.length).toBeGreaterThanOrEqual(2);
      for (const u of [g.owner, ...g.members, ...g.admins]) expect(usernames.has(u)).toBe(true);
      expect(g.members).not.toContain(g.owner);
    }
    const users = ["a", "b", "c", "d"];
    const messages = planMessages(3, users, 40, Date.UTC(2025, 5, 1), 24 * 60 * 60 * 1000);
    expect(messages.every(isMessageRecord)).toBe(true);
    expect(new Set(messages.map((m) => m.author))).toEqual(new Set(users));
  });

  it("puts one needle 2,500 messages back in alice–bob, the only seeded message its rare word finds", () => {
    const plan = DEMO_CONVERSATIONS.find((c) => c.between.join() === "alice,bob");
    expect(plan?.needle).toBe(SEARCH_NEEDLE);
    const index = DEMO_CONVERSATIONS.indexOf(plan as (typeof DEMO_CONVERSATIONS)[number]);
    const messages = withNeedle(
      planMessages(index, ["a", "b"], 3000, Date.UTC(2025, 5, 1), 60 * 86_400_000),
      plan?.needle,
    );
    const found = messages.filter((m) => matchesTokens(m.text, searchTokens("quokka")));
    expect(found.map((m) => m.id)).toEqual([`seed-${String(3000 - 1 - 2500).padStart(5, "0")}`]);
    expect(found[0]?.text).toBe(SEARCH_NEEDLE.text);
  });
});
