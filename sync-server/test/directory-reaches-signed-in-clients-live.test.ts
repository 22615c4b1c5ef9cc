import { MESSAGE_PRESENCE, type PresenceFrame } from "@messenger/shared";
import * as decoding from "lib0/decoding";
import { describe, expect, it } from "vitest";
import { startTestServer, waitFor } from "./helpers/server.js";

const presenceFrames = (received: Uint8Array[]): PresenceFrame[] =>
  received.flatMap((bytes) => {
    const d = decoding.createDecoder(bytes);
    return decoding.readVarUint(d) === MESSAGE_PRESENCE ? [JSON.parse(decoding.readVarString(d)) as PresenceFrame] : [];
  });

const announced = (received: Uint8Array[], userId: string) =>
  presenceFrames(received).flatMap((f) => (f.users ?? []).filter((u) => u.id === userId));

describe("the live directory", () => {
  it("a new account and its new name reach an inbox socket with ?presence=1, without an email", async () => {
    const t = await startTestServer();
    const alice = await t.signUp("Alice");
    const watcher = t.rawSocket(alice, `inbox.${alice.id}?presence=1`);
    expect(await watcher.opened).toBe(true);
    await waitFor(() => presenceFrames(watcher.received)[0], "snapshot");

    const nina = await t.signUp("Nina");
    const entry = await waitFor(() => announced(watcher.received, nina.id)[0], "nina announced");
    expect(entry).toEqual({ id: nina.id, name: "Nina", username: nina.username, online: false, lastSeenAt: null });

    const renamed = await t.api("POST", "/api/auth/update-user", nina, { name: "Nina Novak" });
    expect(renamed.status).toBe(200);
    const after = await waitFor(
      () => announced(watcher.received, nina.id).find((u) => u.name === "Nina Novak"),
      "the new name",
    );
    expect(after).toMatchObject({ id: nina.id, username: nina.username });

    // Only ever in change frames, and never an email.
    expect(presenceFrames(watcher.received).filter((f) => f.full && f.users)).toEqual([]);
    expect(watcher.received.map((b) => Buffer.from(b).toString("latin1")).join("")).not.toContain("@example.com");
    const users = await t.api<{ users: Array<{ id: string; name: string }> }>("GET", "/api/users", alice);
    expect(users.body.users.find((u) => u.id === nina.id)?.name).toBe("Nina Novak");
  });

  it("a socket without ?presence=1 is not sent directory changes", async () => {
    const t = await startTestServer();
    const alice = await t.signUp("Alice");
    const plain = t.rawSocket(alice, `inbox.${alice.id}`);
    const watcher = t.rawSocket(alice, `inbox.${alice.id}?presence=1`);
    expect(await plain.opened).toBe(true);
    expect(await watcher.opened).toBe(true);
    const bob = await t.signUp("Bob");
    await waitFor(() => announced(watcher.received, bob.id).length > 0, "bob announced to the subscriber");
    expect(presenceFrames(plain.received)).toEqual([]);
  });
});
