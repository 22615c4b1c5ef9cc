import { randomBytes } from "node:crypto";
import { addMessage, CLOSE_CODES, MAX_FRAME_BYTES, messagesMap, newMessageId } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { updateFrame } from "./helpers/frames.js";
import { startTestServer, waitFor } from "./helpers/server.js";

describe("bad frames close only their own connection", () => {
  it("random bytes, truncated frames, a V2 update, unknown types, text and oversized frames each close only that socket", async () => {
    const t = await startTestServer();
    const { alice, bob, name } = await t.twoMembers();
    const a = t.provider(alice, name);
    const b = t.provider(bob, name);
    await waitFor(() => a.provider.synced && b.provider.synced, "synced");
    let disconnects = 0;
    for (const p of [a.provider, b.provider])
      p.on("status", ({ status }: { status: string }) => void (status === "disconnected" && disconnects++));

    const scratch = new Y.Doc();
    addMessage(scratch, { id: newMessageId(), author: alice.id, text: "v2", createdAt: Date.now() });
    const valid = updateFrame(Y.encodeStateAsUpdate(scratch));
    const cases: Array<[string, Uint8Array | string, number]> = [
      ["random bytes", new Uint8Array([0xde, 0xad, 0xbe, 0xef, ...randomBytes(60)]), CLOSE_CODES.MALFORMED_FRAME],
      ["a sync frame of junk", new Uint8Array([0, 2, 6, 9, 9, 9, 9, 9, 9]), CLOSE_CODES.MALFORMED_FRAME],
      ["a truncated frame", valid.subarray(0, Math.floor(valid.length / 2)), CLOSE_CODES.MALFORMED_FRAME],
      ["a V2 update", updateFrame(Y.encodeStateAsUpdateV2(scratch)), CLOSE_CODES.MALFORMED_FRAME],
      ["an unknown message type", new Uint8Array([7, 1, 2]), CLOSE_CODES.MALFORMED_FRAME],
      ["an empty frame", new Uint8Array([]), CLOSE_CODES.MALFORMED_FRAME],
      ["a text frame", "hello", CLOSE_CODES.MALFORMED_FRAME],
      ["an oversized frame", new Uint8Array(MAX_FRAME_BYTES + 1), CLOSE_CODES.FRAME_TOO_LARGE],
    ];
    for (const [what, frame, code] of cases) {
      const s = t.rawSocket(alice, name);
      expect(await s.opened, what).toBe(true);
      s.ws.send(frame);
      expect(await waitFor(() => s.closeCode, `${what} closes`), what).toBe(code);
    }
    // everyone else is still connected and working
    const after = addMessage(a.doc, {
      id: newMessageId(),
      author: alice.id,
      text: "still here",
      createdAt: Date.now(),
    });
    await waitFor(() => messagesMap(b.doc).get(after.id), "bob still receives");
    expect(disconnects).toBe(0);
    expect(a.provider.wsconnected && b.provider.wsconnected).toBe(true);
  });

  it("a socket that floods valid frames is closed with 1013 (try again later) while the others keep working", async () => {
    const t = await startTestServer();
    const { alice, bob, name } = await t.twoMembers();
    const b = t.provider(bob, name);
    await waitFor(() => b.provider.synced, "bob synced");

    const flooder = t.rawSocket(alice, name);
    expect(await flooder.opened).toBe(true);
    const queryAwareness = new Uint8Array([3]);
    for (let i = 0; i < 1000; i++) flooder.ws.send(queryAwareness);
    expect(await waitFor(() => flooder.closeCode, "the flooder is closed")).toBe(CLOSE_CODES.TRY_AGAIN_LATER);

    const a = t.provider(alice, name);
    await waitFor(() => a.provider.synced, "alice reconnects normally");
    const after = addMessage(a.doc, {
      id: newMessageId(),
      author: alice.id,
      text: "calm again",
      createdAt: Date.now(),
    });
    await waitFor(() => messagesMap(b.doc).get(after.id), "bob receives it");
  });
});
