/**
 * Sessions end everywhere at once: a session signed out, revoked or swept on one process
 * closes its sockets on every other process with SESSION_ENDED, and no process lets the
 * ended session's credentials upgrade again (each had them in its upgrade cache).
 */
import { CLOSE_CODES } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { startTestCluster } from "./helpers/cluster.js";
import { type TestServer, waitFor } from "./helpers/server.js";

/** Sockets within a second, well under the helper's usual wait, without timing assertions. */
const ONE_SECOND_AND_SLACK_MS = 3000;

async function threeServers(): Promise<[TestServer, TestServer, TestServer]> {
  const [a, b, c] = await startTestCluster(3);
  if (!a || !b || !c) throw new Error("three servers");
  return [a, b, c];
}

/**
 * Opened and served: the relay greets a socket once its document has loaded (a session that
 * ends while a socket's document still loads is left to the relay's periodic sweep).
 */
async function served(sockets: Array<{ opened: Promise<boolean>; received: Uint8Array[] }>): Promise<boolean[]> {
  const opened = await Promise.all(sockets.map((s) => s.opened));
  await waitFor(() => sockets.every((s) => s.received.length > 0), "greeted");
  return opened;
}

const authCall = (server: TestServer, as: { token: string }, path: string, body: unknown = {}) =>
  fetch(`${server.url}/api/auth/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${as.token}`, origin: server.config.baseUrl, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("revocation across processes", () => {
  it("signing out on the first process closes that session's sockets on the other two with SESSION_ENDED", async () => {
    const [first, second, third] = await threeServers();
    const { alice, bob, name } = await first.twoMembers();
    const sockets = [second.rawSocket(alice, name), third.rawSocket(alice, `inbox.${alice.id}`)];
    const bobs = third.rawSocket(bob, name);
    expect(await served([...sockets, bobs])).toEqual([true, true, true]);

    expect((await authCall(first, alice, "sign-out")).status).toBe(200);
    for (const [i, s] of sockets.entries())
      expect(await waitFor(() => s.closeCode, `alice's socket ${i} closes`, ONE_SECOND_AND_SLACK_MS)).toBe(
        CLOSE_CODES.SESSION_ENDED,
      );
    expect(bobs.closeCode).toBeNull();
    // Both processes had alice's credentials cached from her upgrades: they are forgotten.
    for (const server of [second, third]) {
      const again = server.rawSocket(alice, name);
      expect(await again.opened).toBe(false);
      expect(again.refusedStatus).toBe(401);
    }
  });

  it("revoking a session from another device on the third process closes it on the first two", async () => {
    const [first, second, third] = await threeServers();
    const { alice, name } = await first.twoMembers();
    const phone = await third.signInAgain(alice);
    const laptop = [first.rawSocket(alice, name), second.rawSocket(alice, name)];
    const phoneSocket = first.rawSocket(phone, name);
    expect(await served([...laptop, phoneSocket])).toEqual([true, true, true]);

    // The bearer token is "<session token>.<signature>".
    const laptopToken = alice.token.split(".")[0] as string;
    expect((await authCall(third, phone, "revoke-session", { token: laptopToken })).status).toBe(200);
    for (const [i, s] of laptop.entries())
      expect(await waitFor(() => s.closeCode, `the laptop's socket ${i} closes`, ONE_SECOND_AND_SLACK_MS)).toBe(
        CLOSE_CODES.SESSION_ENDED,
      );
    expect(phoneSocket.closeCode).toBeNull();
  });

  it("a session the sweep deletes on one process closes its sockets on the others", async () => {
    let now = Date.now();
    const [first, , third] = await startTestCluster(3, { clock: () => now });
    if (!first || !third) throw new Error("three servers");
    const { alice, name } = await first.twoMembers();
    const socket = third.rawSocket(alice, name);
    expect(await served([socket])).toEqual([true]);
    // Past the absolute lifetime (SESSION_MAX_DAYS) on the clock every process shares.
    now += first.config.sessionAbsoluteMs + 24 * 60 * 60 * 1000;
    expect(await first.auth.sweepSessions()).toBeGreaterThanOrEqual(1);
    expect(await waitFor(() => socket.closeCode, "the swept session's socket closes", ONE_SECOND_AND_SLACK_MS)).toBe(
      CLOSE_CODES.SESSION_ENDED,
    );
  });
});
