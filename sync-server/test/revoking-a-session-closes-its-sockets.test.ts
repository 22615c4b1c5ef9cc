import { CLOSE_CODES, conversationDocName } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { startTestServer, waitFor } from "./helpers/server.js";

describe("sessions end, sockets close", () => {
  it("signing out closes that session's sockets with SESSION_ENDED and leaves other sessions open", async () => {
    const t = await startTestServer();
    const [alice, bob] = [await t.signUp("Alice"), await t.signUp("Bob")];
    const c = await t.conversation(alice, bob);
    const aliceConv = t.rawSocket(alice, conversationDocName(c.id, 0));
    const aliceInbox = t.rawSocket(alice, `inbox.${alice.id}`);
    const bobConv = t.rawSocket(bob, conversationDocName(c.id, 0));
    expect(await Promise.all([aliceConv.opened, aliceInbox.opened, bobConv.opened])).toEqual([true, true, true]);

    const res = await fetch(`${t.url}/api/auth/sign-out`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice.token}`, origin: t.config.baseUrl, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(await waitFor(() => aliceConv.closeCode, "alice's conversation socket closes", 5_000)).toBe(
      CLOSE_CODES.SESSION_ENDED,
    );
    expect(await waitFor(() => aliceInbox.closeCode, "alice's inbox socket closes", 5_000)).toBe(
      CLOSE_CODES.SESSION_ENDED,
    );
    expect(bobConv.closeCode).toBeNull();

    const again = t.rawSocket(alice, conversationDocName(c.id, 0));
    expect(await again.opened).toBe(false);
    expect(again.refusedStatus).toBe(401);
  });

  it("revoking one session, then all others, closes exactly those sessions' sockets", async () => {
    const t = await startTestServer();
    const { alice, name } = await t.twoMembers();
    const phone = await t.signInAgain(alice);
    const tablet = await t.signInAgain(alice);
    const sockets = {
      laptop: t.rawSocket(alice, name),
      phone: t.rawSocket(phone, name),
      tablet: t.rawSocket(tablet, name),
    };
    expect(await Promise.all(Object.values(sockets).map((s) => s.opened))).toEqual([true, true, true]);
    const authCall = (as: { token: string }, path: string, body: unknown) =>
      fetch(`${t.url}/api/auth/${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${as.token}`, origin: t.config.baseUrl, "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    // From the phone, revoke the laptop's session: list-sessions names each session by its token.
    const listed = await fetch(`${t.url}/api/auth/list-sessions`, {
      headers: { authorization: `Bearer ${phone.token}` },
    });
    const sessions = (await listed.json()) as Array<{ token: string; createdAt: string }>;
    expect(sessions).toHaveLength(3);
    // The bearer token is "<session token>.<signature>"; the laptop's session is the sign-up one.
    const laptopToken = alice.token.split(".")[0] as string;
    expect(sessions.map((x) => x.token)).toContain(laptopToken);
    expect((await authCall(phone, "revoke-session", { token: laptopToken })).status).toBe(200);
    expect(await waitFor(() => sockets.laptop.closeCode, "the laptop's socket closes", 5_000)).toBe(
      CLOSE_CODES.SESSION_ENDED,
    );
    expect(sockets.phone.closeCode).toBeNull();
    expect(sockets.tablet.closeCode).toBeNull();

    // From the phone, sign out everywhere else.
    expect((await authCall(phone, "revoke-other-sessions", {})).status).toBe(200);
    expect(await waitFor(() => sockets.tablet.closeCode, "the tablet's socket closes", 5_000)).toBe(
      CLOSE_CODES.SESSION_ENDED,
    );
    expect(sockets.phone.closeCode).toBeNull();
  });
});
