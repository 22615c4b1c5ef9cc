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
});
