/**
 * An honest client can be ahead of the server: a tab edits a message it got from another
 * tab (BroadcastChannel) before that tab's socket delivered it. The update then depends on
 * history the server lacks. yjs would park it as pending; the relay neither parks it nor
 * refuses it (4403 would make the client drop its copy): it closes with 1013, and the
 * client's reconnect brings the missing history along.
 */
import { addMessage, CLOSE_CODES, editMessage, messagesMap, newMessageId } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { updateFrame } from "./helpers/frames.js";
import { startTestServer, waitFor } from "./helpers/server.js";

describe("an update that depends on history the server lacks", () => {
  it("is answered with 1013, not 4403, and arrives whole once the client reconnects", async () => {
    const t = await startTestServer();
    const { alice, c, name } = await t.twoMembers();
    const firstTab = new Y.Doc();
    const message = addMessage(firstTab, {
      id: newMessageId(),
      author: alice.id,
      text: "draft",
      createdAt: Date.now(),
    });
    const secondTab = new Y.Doc();
    Y.applyUpdate(secondTab, Y.encodeStateAsUpdate(firstTab));
    let edit: Uint8Array | null = null;
    secondTab.on("update", (u: Uint8Array) => {
      edit = u;
    });
    editMessage(secondTab, message.id, alice.id, "final", Date.now());
    if (edit === null) throw new Error("the edit produced no update");

    const s = t.rawSocket(alice, name);
    expect(await s.opened).toBe(true);
    s.ws.send(updateFrame(edit));
    expect(await waitFor(() => s.closeCode, "the socket closes")).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
    expect(await t.repo.findMessage(c.id, message.id)).toBeNull();

    // The second tab reconnects with a stock provider: its sync brings the first tab's write too.
    const again = t.provider(alice, name, { doc: secondTab });
    await waitFor(() => again.provider.synced, "synced");
    await waitFor(
      async () => (await t.repo.findMessage(c.id, message.id))?.text === "final",
      "the edited message is stored",
    );
    const reader = t.provider(alice, name);
    await waitFor(() => messagesMap(reader.doc).get(message.id)?.text === "final", "a fresh reader sees it");
  });
});
