import http from "node:http";
import type { AddressInfo } from "node:net";
import { addMessage, conversationDocName, messagesMap, newMessageId, SYNC_PATH } from "@messenger/shared";
import { describe, expect, it, onTestFinished } from "vitest";
import { WebSocket } from "ws";
import * as Y from "yjs";
import { createLogger } from "../src/logger.js";
import { createRelay } from "../src/relay/index.js";
import { openTestStore } from "../src/store/open-test-store.js";
import type { Store } from "../src/store/types.js";
import { updateFrame } from "./helpers/frames.js";
import { waitFor } from "./helpers/server.js";

/** How long the store takes to load a document here: long enough that a client's first frames arrive first. */
const LOAD_DELAY_MS = 300;

/** The test's real store, with every document load held back. */
function slowLoading(store: Store): Store {
  return {
    ...store,
    docs: {
      ...store.docs,
      load: async (doc) => {
        await new Promise((resolve) => setTimeout(resolve, LOAD_DELAY_MS));
        return store.docs.load(doc);
      },
    },
  };
}

function messageUpdate(author: string, id: string, text: string, createdAt: number): Uint8Array {
  const doc = new Y.Doc();
  let update: Uint8Array = new Uint8Array();
  doc.on("update", (u: Uint8Array) => {
    update = u;
  });
  addMessage(doc, { id, author, text, createdAt });
  return update;
}

describe("a socket whose document is still loading", () => {
  it("keeps every frame it sends meanwhile, in order, and applies them once the document is there", async () => {
    const { store } = await openTestStore();
    const relay = createRelay({
      store: slowLoading(store),
      logger: createLogger("silent"),
      authenticate: async (headers) => {
        const id = headers.get("authorization")?.replace(/^Bearer /, "");
        return id === "alice" || id === "bob" ? { id, name: id, sessionId: `s-${id}` } : null;
      },
    });
    const server = http.createServer();
    relay.attach(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onTestFinished(async () => {
      await relay.close();
      await new Promise((resolve) => server.close(resolve));
    });
    const { conversation } = await store.conversations.getOrCreateDirect("alice", "bob");
    const name = conversationDocName(conversation.id, 0);

    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}${SYNC_PATH}/${name}`, {
      headers: { authorization: "Bearer alice" },
    });
    const closed: number[] = [];
    ws.on("close", (code) => closed.push(code));
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    // Sent at once, while the server is still loading the document.
    const ids = [newMessageId(), newMessageId(), newMessageId()];
    const now = Date.now();
    for (const [i, id] of ids.entries()) ws.send(updateFrame(messageUpdate("alice", id, `early ${i}`, now + i)));
    expect(relay.stats().connections).toBe(0); // not served yet: the load is still under way

    await waitFor(
      async () => (await store.conversations.messagesPage(conversation.id, undefined, 10))?.messages.length === 3,
      "all three stored",
    );
    const page = await store.conversations.messagesPage(conversation.id, undefined, 10);
    expect(page?.messages.map((m) => m.text)).toEqual(["early 0", "early 1", "early 2"]);
    expect(closed).toEqual([]);
    await relay.settled();
    expect(relay.stats().connections).toBe(1);
    ws.close();
    // The log holds them in the order they were sent, one update each.
    await relay.settled();
    const stored = await store.docs.load(name);
    const logged = stored.updates.map((u) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, u);
      return [...messagesMap(doc).keys()];
    });
    expect(logged.flat()).toEqual(ids);
  });
});
