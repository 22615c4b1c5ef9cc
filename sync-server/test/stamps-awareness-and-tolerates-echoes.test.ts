import { describe, expect, it } from "vitest";
import { startTestServer, waitFor } from "./helpers/server.js";

describe("awareness between stock clients", () => {
  it("shows each member the other's typing state stamped with their real identity, without closing either socket", async () => {
    const t = await startTestServer();
    const { alice, bob, name } = await t.twoMembers();
    const a = t.provider(alice, name);
    const b = t.provider(bob, name);
    await waitFor(() => a.provider.synced && b.provider.synced, "both synced");
    let disconnects = 0;
    for (const p of [a.provider, b.provider]) {
      p.on("status", ({ status }: { status: string }) => {
        if (status === "disconnected") disconnects++;
      });
    }

    // The stock client re-sends every awareness change it receives, the other member's included.
    for (let i = 1; i <= 5; i++) {
      a.provider.awareness.setLocalState({ typingAt: 1000 * i, user: { id: "someone-else", name: "Mallory" } });
      b.provider.awareness.setLocalState({ typingAt: 2000 * i });
      await waitFor(
        () =>
          (b.provider.awareness.getStates().get(a.doc.clientID) as { typingAt?: number } | undefined)?.typingAt ===
            1000 * i &&
          (a.provider.awareness.getStates().get(b.doc.clientID) as { typingAt?: number } | undefined)?.typingAt ===
            2000 * i,
        `round ${i} seen by both`,
      );
    }

    expect(b.provider.awareness.getStates().get(a.doc.clientID)).toEqual({
      typingAt: 5000,
      user: { id: alice.id, name: "Alice" },
    });
    expect(a.provider.awareness.getStates().get(b.doc.clientID)).toEqual({
      typingAt: 10000,
      user: { id: bob.id, name: "Bob" },
    });
    expect(disconnects).toBe(0);
    expect(a.provider.wsconnected && b.provider.wsconnected).toBe(true);
  });
});
