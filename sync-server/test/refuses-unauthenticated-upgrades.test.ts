import { conversationDocName } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { startTestServer } from "./helpers/server.js";

describe("upgrade refusals", () => {
  it("refuses an upgrade without a session with 401 and a JSON error body", async () => {
    const t = await startTestServer();
    const alice = await t.signUp("Alice");
    const bob = await t.signUp("Bob");
    const c = await t.conversation(alice, bob);
    const s = t.rawSocket(null, conversationDocName(c.id, 0));
    expect(await s.opened).toBe(false);
    expect(s.refusedStatus).toBe(401);
    expect(JSON.parse(s.refusedBody)).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
  });

  it("refuses an invalid bearer token with 401", async () => {
    const t = await startTestServer();
    const s = t.rawSocket({ id: "x", name: "x", username: "x", token: "not-a-token", cookie: "" }, "inbox.x");
    expect(await s.opened).toBe(false);
    expect(s.refusedStatus).toBe(401);
  });

  it("answers 404 for a path that is not a document", async () => {
    const t = await startTestServer();
    const alice = await t.signUp("Alice");
    for (const name of ["nothing", "conversation.x", "inbox.a.b", "conversation.abc.01"]) {
      const s = t.rawSocket(alice, name);
      expect(await s.opened).toBe(false);
      expect(s.refusedStatus, name).toBe(404);
    }
  });

  it("answers 403 for a browser Origin that is not trusted", async () => {
    const t = await startTestServer();
    const alice = await t.signUp("Alice");
    const s = t.rawSocket(alice, `inbox.${alice.id}`, { origin: "https://evil.example" });
    expect(await s.opened).toBe(false);
    expect(s.refusedStatus).toBe(403);
    const ok = t.rawSocket(alice, `inbox.${alice.id}`, { origin: t.config.baseUrl });
    expect(await ok.opened).toBe(true);
  });
});
