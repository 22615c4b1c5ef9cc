/**
 * Per-user and per-account limits over several processes: a user or an attacker spreading
 * requests over the processes behind one address gets what one process would allow, not N
 * times as much — the sign-in lockout, better-auth's per-IP limits, the write budget shared
 * by REST and sockets, and the per-user socket cap.
 */
import { addMessage, CLOSE_CODES, newMessageId } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { MAX_FAILURES } from "../src/auth/login-throttle.js";
import { startTestCluster, testClusterEnv } from "./helpers/cluster.js";
import { updateFrame } from "./helpers/frames.js";
import { spawnServer } from "./helpers/process.js";
import { PASSWORD, startTestServer, type TestServer, waitFor } from "./helpers/server.js";

/** One new message by `author` as a single update, written by a fresh replica. */
function messageUpdate(author: string): Uint8Array {
  const doc = new Y.Doc();
  let update: Uint8Array = new Uint8Array();
  doc.on("update", (u: Uint8Array) => {
    update = u;
  });
  addMessage(doc, { id: newMessageId(), author, text: "hello", createdAt: Date.now() });
  return update;
}

async function threeServers(options: Parameters<typeof startTestCluster>[1] = {}) {
  const [a, b, c] = await startTestCluster(3, options);
  if (!a || !b || !c) throw new Error("three servers");
  return [a, b, c] as const;
}

const signIn = (server: Pick<TestServer, "url" | "config">, body: Record<string, string>) =>
  fetch(`${server.url}/api/auth/sign-in/${"username" in body ? "username" : "email"}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.config.baseUrl },
    body: JSON.stringify(body),
  });

describe("limits shared across processes", () => {
  it("failed sign-ins spread over three processes lock the account as they would on one", async () => {
    const servers = await threeServers();
    const alice = await servers[0].signUp("Alice");
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await signIn(servers[i % 3] as TestServer, { username: alice.username, password: "wrong-password" });
      expect(res.status).toBe(401);
    }
    // Locked on every process, even with the right password.
    for (const server of servers) {
      const locked = await signIn(server, { username: alice.username, password: PASSWORD });
      expect(locked.status).toBe(429);
      expect(await locked.json()).toMatchObject({ code: "RATE_LIMITED" });
    }
  });

  it("better-auth's per-IP sign-in limit counts the attempts every process saw", async () => {
    // A process of its own: in-process servers share better-auth's memory store, which would
    // make this pass without Redis.
    const env = await testClusterEnv();
    const here = await startTestServer({ env });
    const child = spawnServer(env);
    const there = `http://127.0.0.1:${await child.running}`;
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const url = i % 2 === 0 ? here.url : there;
      const res = await signIn({ url, config: here.config }, { email: `nobody${i}@example.com`, password: PASSWORD });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it("a user writing through two processes draws on one write budget, and REST on a third shares it", async () => {
    const [first, second, third] = await threeServers({ relay: { limits: { writeBurst: 20, writesPerSecond: 1 } } });
    const { alice, c, name } = await first.twoMembers();
    const onFirst = first.rawSocket(alice, name);
    expect(await onFirst.opened).toBe(true);
    for (let i = 0; i < 100; i++) onFirst.ws.send(updateFrame(messageUpdate(alice.id)));
    expect(await waitFor(() => onFirst.closeCode, "the flood on the first process closes")).toBe(
      CLOSE_CODES.TRY_AGAIN_LATER,
    );

    const onSecond = second.rawSocket(alice, name);
    expect(await onSecond.opened).toBe(true);
    for (let i = 0; i < 100; i++) onSecond.ws.send(updateFrame(messageUpdate(alice.id)));
    expect(await waitFor(() => onSecond.closeCode, "the flood on the second process closes")).toBe(
      CLOSE_CODES.TRY_AGAIN_LATER,
    );
    const post = await third.api("POST", `/api/conversations/${c.id}/messages`, alice, {
      id: newMessageId(),
      text: "x",
    });
    expect(post.status).toBe(429);

    await Promise.all([first.relay.settled(), second.relay.settled()]);
    const { body } = await third.api<{ messages: unknown[] }>("GET", `/api/conversations/${c.id}/messages`, alice);
    // The burst, less the REST write that created the conversation; two budgets would store about 40.
    expect(body.messages.length).toBeGreaterThanOrEqual(19);
    expect(body.messages.length).toBeLessThan(30);
  });

  it("the per-user socket cap counts the user's sockets on every process", async () => {
    const [first, second, third] = await threeServers({ relay: { limits: { socketsPerUser: 2 } } });
    const { alice, name } = await first.twoMembers();
    const phone = await second.signInAgain(alice);
    const laptopSocket = first.rawSocket(alice, name);
    expect(await laptopSocket.opened).toBe(true);
    expect(await second.rawSocket(phone, name).opened).toBe(true);
    await waitFor(() => third.presence.socketsElsewhere(alice.id) === 2, "the third process counts both");

    const over = third.rawSocket(phone, name);
    expect(await over.opened).toBe(false);
    expect(over.refusedStatus).toBe(429);
    await waitFor(() => over.refusedBody.includes("TOO_MANY_SOCKETS"), "the refusal names the limit");
    await waitFor(() => first.presence.socketsElsewhere(alice.id) === 1, "the first process counts the other one");
    expect(await first.rawSocket(alice, name).opened).toBe(false);

    laptopSocket.ws.close();
    await waitFor(() => third.presence.socketsElsewhere(alice.id) === 1, "the third process saw the close");
    expect(await third.rawSocket(phone, name).opened).toBe(true);
  });
});
