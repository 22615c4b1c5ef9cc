import { conversationDocName, inboxDocName } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { startTestServer } from "./helpers/server.js";

describe("authorization at the upgrade", () => {
  it("refuses a user who is not a member of the conversation with 403", async () => {
    const t = await startTestServer();
    const [alice, bob, carol] = [await t.signUp("Alice"), await t.signUp("Bob"), await t.signUp("Carol")];
    const c = await t.conversation(alice, bob);
    const s = t.rawSocket(carol, conversationDocName(c.id, 0));
    expect(await s.opened).toBe(false);
    expect(s.refusedStatus).toBe(403);
    expect(JSON.parse(s.refusedBody)).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect(await t.rawSocket(bob, conversationDocName(c.id, 0)).opened).toBe(true);
  });

  it("refuses a segment beyond the head and someone else's inbox", async () => {
    const t = await startTestServer();
    const [alice, bob] = [await t.signUp("Alice"), await t.signUp("Bob")];
    const c = await t.conversation(alice, bob);
    const ahead = t.rawSocket(alice, conversationDocName(c.id, 1));
    expect(await ahead.opened).toBe(false);
    expect(ahead.refusedStatus).toBe(403);
    const inbox = t.rawSocket(alice, inboxDocName(bob.id));
    expect(await inbox.opened).toBe(false);
    expect(inbox.refusedStatus).toBe(403);
  });
});
