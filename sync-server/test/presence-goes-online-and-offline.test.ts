import { MESSAGE_PRESENCE, type PresenceFrame } from "@messenger/shared";
import * as decoding from "lib0/decoding";
import { describe, expect, it } from "vitest";
import { startTestServer, waitFor } from "./helpers/server.js";

const presenceFrames = (received: Uint8Array[]): PresenceFrame[] =>
  received.flatMap((bytes) => {
    const d = decoding.createDecoder(bytes);
    return decoding.readVarUint(d) === MESSAGE_PRESENCE ? [JSON.parse(decoding.readVarString(d)) as PresenceFrame] : [];
  });

describe("presence", () => {
  it("an inbox socket with ?presence=1 sees a snapshot, then users going online and offline", async () => {
    const t = await startTestServer();
    const [alice, bob] = [await t.signUp("Alice"), await t.signUp("Bob")];
    const watcher = t.rawSocket(alice, `inbox.${alice.id}?presence=1`);
    expect(await watcher.opened).toBe(true);
    const first = await waitFor(() => presenceFrames(watcher.received)[0], "snapshot");
    expect(first).toEqual({ full: true, online: [alice.id], offline: [] });

    const bobSocket = t.rawSocket(bob, `inbox.${bob.id}`);
    expect(await bobSocket.opened).toBe(true);
    await waitFor(
      () => presenceFrames(watcher.received).some((f) => !f.full && f.online.includes(bob.id)),
      "bob online",
    );
    expect(t.presence.isOnline(bob.id)).toBe(true);

    bobSocket.ws.close();
    const offline = await waitFor(
      () => presenceFrames(watcher.received).find((f) => f.offline.some(([id]) => id === bob.id)),
      "bob offline",
    );
    const lastSeen = offline.offline.find(([id]) => id === bob.id)?.[1] as number;
    expect(lastSeen).toBeGreaterThan(0);
    expect(t.presence.isOnline(bob.id)).toBe(false);
    expect(await t.presence.lastSeenAt(bob.id)).toBe(lastSeen);
    const users = await t.api<{ users: Array<{ id: string; online: boolean; lastSeenAt: number | null }> }>(
      "GET",
      "/api/users",
      alice,
    );
    expect(users.body.users.find((u) => u.id === bob.id)).toMatchObject({ online: false, lastSeenAt: lastSeen });
  });

  it("a socket without ?presence=1 never receives presence frames", async () => {
    const t = await startTestServer();
    const [alice, bob] = [await t.signUp("Alice"), await t.signUp("Bob")];
    const plain = t.rawSocket(alice, `inbox.${alice.id}`);
    expect(await plain.opened).toBe(true);
    const other = t.rawSocket(bob, `inbox.${bob.id}`);
    expect(await other.opened).toBe(true);
    await waitFor(() => t.presence.isOnline(bob.id), "bob online");
    other.ws.close();
    await waitFor(() => !t.presence.isOnline(bob.id), "bob offline");
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // two presence flushes
    expect(presenceFrames(plain.received)).toEqual([]);
  });

  it("a peer that stops answering pings goes offline", async () => {
    const t = await startTestServer({ relay: { pingIntervalMs: 100 } });
    const bob = await t.signUp("Bob");
    const s = t.rawSocket(bob, `inbox.${bob.id}`, {}, { autoPong: false });
    expect(await s.opened).toBe(true);
    await waitFor(() => t.presence.isOnline(bob.id), "bob online");
    await waitFor(() => !t.presence.isOnline(bob.id), "bob offline after missing pongs");
  });
});
