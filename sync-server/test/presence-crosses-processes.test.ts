/**
 * Presence over several processes on one PostgreSQL and one Redis: a user online on any
 * process is online in every process's frames and users list, the live directory reaches
 * subscribers everywhere, and a process killed with -9 takes its users offline everywhere
 * once its heartbeat runs out, with their last-seen time in the store.
 */
import { MESSAGE_PRESENCE, type PresenceFrame } from "@messenger/shared";
import * as decoding from "lib0/decoding";
import { describe, expect, it } from "vitest";
import { startTestCluster, testClusterEnv } from "./helpers/cluster.js";
import { spawnServer } from "./helpers/process.js";
import { connectTo, startTestServer, type TestUser, waitFor } from "./helpers/server.js";

const presenceFrames = (received: Uint8Array[]): PresenceFrame[] =>
  received.flatMap((bytes) => {
    const d = decoding.createDecoder(bytes);
    return decoding.readVarUint(d) === MESSAGE_PRESENCE ? [JSON.parse(decoding.readVarString(d)) as PresenceFrame] : [];
  });
const sawOnline = (received: Uint8Array[], userId: string) =>
  presenceFrames(received).some((f) => f.online.includes(userId));
const sawOffline = (received: Uint8Array[], userId: string) =>
  presenceFrames(received)
    .flatMap((f) => f.offline)
    .find(([id]) => id === userId);

type UsersPage = { users: Array<{ id: string; name: string; online: boolean; lastSeenAt: number | null }> };

describe("presence across processes", () => {
  it("a user connected only to the third process is online for subscribers of the first two, then offline with a last-seen time", async () => {
    const [first, second, third] = await startTestCluster(3);
    if (!first || !second || !third) throw new Error("three servers");
    const [alice, bob] = [await first.signUp("Alice"), await first.signUp("Bob")];
    const watchers = [
      first.rawSocket(alice, `inbox.${alice.id}?presence=1`),
      second.rawSocket(alice, `inbox.${alice.id}?presence=1`),
    ];
    for (const w of watchers) expect(await w.opened).toBe(true);

    const bobSocket = third.rawSocket(bob, `inbox.${bob.id}`);
    expect(await bobSocket.opened).toBe(true);
    for (const [i, w] of watchers.entries()) await waitFor(() => sawOnline(w.received, bob.id), `bob online on ${i}`);
    const listed = await first.api<UsersPage>("GET", "/api/users", alice);
    expect(listed.body.users.find((u) => u.id === bob.id)?.online).toBe(true);
    expect(second.presence.isOnline(bob.id)).toBe(true);

    bobSocket.ws.close();
    const seen = await Promise.all(watchers.map((w, i) => waitFor(() => sawOffline(w.received, bob.id), `off ${i}`)));
    // Every process reports the time the third process recorded.
    const lastSeen = seen[0]?.[1] as number;
    expect(seen[1]?.[1]).toBe(lastSeen);
    expect(await third.presence.lastSeenAt(bob.id)).toBe(lastSeen);
    const after = await second.api<UsersPage>("GET", "/api/users", alice);
    expect(after.body.users.find((u) => u.id === bob.id)).toMatchObject({ online: false, lastSeenAt: lastSeen });
  });

  it("a sign-up and a rename on one process reach presence subscribers on the others", async () => {
    const [first, second, third] = await startTestCluster(3);
    if (!first || !second || !third) throw new Error("three servers");
    const alice = await first.signUp("Alice");
    const watcher = first.rawSocket(alice, `inbox.${alice.id}?presence=1`);
    expect(await watcher.opened).toBe(true);
    const directory = () => presenceFrames(watcher.received).flatMap((f) => f.users ?? []);

    const nina = await third.signUp("Nina");
    await waitFor(() => directory().some((u) => u.id === nina.id && u.name === "Nina"), "nina's sign-up");
    const renamed = await fetch(`${second.url}/api/auth/update-user`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${nina.token}`,
        origin: second.config.baseUrl,
        "content-type": "application/json",
      },
      body: JSON.stringify({ name: "Nina Novak" }),
    });
    expect(renamed.status).toBe(200);
    await waitFor(() => directory().some((u) => u.id === nina.id && u.name === "Nina Novak"), "nina's new name");
  });

  it("a process killed with -9 takes its users offline on the others within its heartbeat's lifetime", async () => {
    // A short heartbeat: the dead process is noticed within a few hundred ms instead of 20 s.
    const env = { ...(await testClusterEnv()), CLUSTER_HEARTBEAT_MS: "100" };
    const survivor = await startTestServer({ env });
    const doomed = spawnServer(env);
    const port = await doomed.running;
    const onDoomed = connectTo(`http://127.0.0.1:${port}`, survivor.config.baseUrl);
    const alice = await survivor.signUp("Alice");
    const bob: TestUser = await onDoomed.signUp("Bob");
    const watcher = survivor.rawSocket(alice, `inbox.${alice.id}?presence=1`);
    expect(await watcher.opened).toBe(true);
    const bobSocket = onDoomed.rawSocket(bob, `inbox.${bob.id}`);
    expect(await bobSocket.opened).toBe(true);
    await waitFor(() => sawOnline(watcher.received, bob.id), "bob online");

    doomed.child.kill("SIGKILL");
    expect(await doomed.exited).toBe("SIGKILL");
    const [, lastSeen] = await waitFor(() => sawOffline(watcher.received, bob.id), "bob offline");
    expect(survivor.presence.isOnline(bob.id)).toBe(false);
    // The survivor wrote the dead process's last heartbeat as bob's last-seen time.
    await waitFor(async () => (await survivor.store.presence.lastSeen([bob.id])).get(bob.id) === lastSeen, "stored");
    await onDoomed.cleanup();
  });
});
