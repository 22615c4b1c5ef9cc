/**
 * A server conversation (or inbox) document with its client-id claims and index, and client
 * replicas writing to it: the validator's unit tests judge what the replicas send.
 */
import { addMessage, inboxMap, messagesMap } from "@messenger/shared";
import * as Y from "yjs";
import { type ValidationContext, validateUpdate } from "../../src/relay/validate-update.js";

export const NOW = Date.UTC(2025, 0, 1);

/** A server document with its client-id claims, and client replicas that write to it. */
export function createWorld(kind: "conversation" | "inbox" = "conversation") {
  const server = new Y.Doc();
  if (kind === "conversation") messagesMap(server);
  else inboxMap(server);
  const clients = new Map<number, string>();
  const indexed = new Map<string, { segment: number; authorId: string }>();
  const ctx = (writer: string): ValidationContext => ({
    doc: server,
    kind,
    writer,
    clients,
    now: NOW,
    segment: 0,
    indexed: (id) => indexed.get(id) ?? null,
  });
  const replica = (clientID?: number) => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
    // After the sync: yjs picks a new client id when a remote update uses ours.
    if (clientID !== undefined) doc.clientID = clientID;
    return doc;
  };
  /** What `doc` has that the server lacks, as a client's sync step 2 would send it. */
  const diff = (doc: Y.Doc) => Y.encodeStateAsUpdate(doc, Y.encodeStateVector(server));
  const validate = (update: Uint8Array, writer: string) => validateUpdate(update, ctx(writer));
  const accept = (update: Uint8Array, writer: string) => {
    const verdict = validate(update, writer);
    if (!verdict.ok) throw new Error(`expected acceptance, got: ${verdict.reason}`);
    for (const c of verdict.newClients) clients.set(c, writer);
    Y.applyUpdate(server, update);
    for (const key of verdict.changedKeys) {
      const r = messagesMap(server).get(key);
      if (r) indexed.set(key, { segment: 0, authorId: r.author });
    }
    return verdict;
  };
  return { server, clients, indexed, replica, diff, validate, accept };
}

let n = 0;
export const id = () => `msg-${String(++n).padStart(8, "0")}`;
export const post = (doc: Y.Doc, author: string, text = "hello") =>
  addMessage(doc, { id: id(), author, text, createdAt: NOW - 1000 });
