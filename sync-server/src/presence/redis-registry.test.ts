import { describe, expect, it } from "vitest";
import { connectTestProcess, testRedisPrefix, waitUntil } from "../cluster/testing.js";
import { createLogger } from "../logger.js";
import { createRedisRegistry } from "./redis-registry.js";
import type { PresenceRegistry } from "./registry.js";

const HEARTBEAT_MS = 50;

/** One process's registry on `prefix`, with what it reported and the last-seen times it recorded. */
async function processOn(prefix: string) {
  const { link, bus } = await connectTestProcess(prefix);
  const recorded: Array<[string, number]> = [];
  const registry = await createRedisRegistry({
    link,
    bus,
    logger: createLogger("silent"),
    heartbeatMs: HEARTBEAT_MS,
    recordLastSeen: (userId, at) => recorded.push([userId, at]),
  });
  const changes: Array<[string, boolean, number | null]> = [];
  registry.onChange((userId, { online, lastSeenAt }) => changes.push([userId, online, lastSeenAt]));
  return { link, registry, changes, recorded };
}

const counts = (registry: PresenceRegistry, userId: string) => [registry.here(userId), registry.elsewhere(userId)];

describe("presence registry in Redis", () => {
  it("counts a user's sockets on every process and reports going online and offline once, with the closing time", async () => {
    const prefix = testRedisPrefix();
    const [a, b] = [await processOn(prefix), await processOn(prefix)];
    a.registry.add("alice");
    a.registry.add("alice");
    b.registry.add("alice");
    await waitUntil(() => b.registry.elsewhere("alice") === 2 && a.registry.elsewhere("alice") === 1);
    expect(counts(a.registry, "alice")).toEqual([2, 1]);
    expect(b.registry.onlineUserIds()).toEqual(["alice"]);
    a.registry.remove("alice", 1000);
    a.registry.remove("alice", 2000);
    await waitUntil(() => b.registry.elsewhere("alice") === 0);
    expect(b.registry.isOnline("alice")).toBe(true); // still her socket on b
    b.registry.remove("alice", 3000);
    await waitUntil(() => a.changes.length === 2);
    expect(a.changes).toEqual([
      ["alice", true, null],
      ["alice", false, 3000],
    ]);
    expect(b.changes).toEqual(a.changes);
  });

  it("a process that starts later reads the others' users from Redis", async () => {
    const prefix = testRedisPrefix();
    const a = await processOn(prefix);
    a.registry.add("alice");
    await new Promise((resolve) => setTimeout(resolve, 50)); // published
    const b = await processOn(prefix);
    expect(b.registry.isOnline("alice")).toBe(true);
    expect(b.registry.elsewhere("alice")).toBe(1);
  });

  it("a process that shuts down takes its users offline everywhere at once", async () => {
    const prefix = testRedisPrefix();
    const [a, b] = [await processOn(prefix), await processOn(prefix)];
    a.registry.add("alice");
    await waitUntil(() => b.registry.isOnline("alice"));
    await a.registry.close();
    await waitUntil(() => !b.registry.isOnline("alice"));
    expect(b.recorded).toEqual([]); // a recorded it itself as its socket closed
  });

  it("a process that stops without a word is dropped once its heartbeat runs out, and one survivor records last-seen", async () => {
    const prefix = testRedisPrefix();
    const [a, b, c] = [await processOn(prefix), await processOn(prefix), await processOn(prefix)];
    a.registry.add("alice");
    a.registry.add("bob");
    c.registry.add("bob");
    await waitUntil(() => b.registry.isOnline("alice") && c.registry.isOnline("alice"));
    a.link.client.disconnect(); // as if killed: no more heartbeats, no goodbye
    a.link.subscriber.disconnect();
    await waitUntil(() => !b.registry.isOnline("alice") && !c.registry.isOnline("alice"));
    expect(b.registry.isOnline("bob")).toBe(true); // still on c
    const recorded = [...b.recorded, ...c.recorded];
    expect(recorded.map(([id]) => id)).toEqual(["alice"]);
    const [, at] = recorded[0] as [string, number];
    expect(b.changes.find(([id, online]) => id === "alice" && !online)?.[2]).toBe(at);
    expect(c.changes.find(([id, online]) => id === "alice" && !online)?.[2]).toBe(at);
  });
});
