import { describe, expect, it } from "vitest";
import { PASSWORD, startTestServer, type TestServer, type TestUser } from "./helpers/server.js";

/** Signs in by username as a browser at `origin` would, returning the session cookie. */
async function browserSignIn(t: TestServer, user: TestUser, origin: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${t.port}/api/auth/sign-in/username`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ username: user.username, password: PASSWORD }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="));
  expect(cookie).toBeDefined();
  return (cookie as string).split(";")[0] as string;
}

async function opens(t: TestServer, user: TestUser, origin: string): Promise<number | "open"> {
  const s = t.rawSocket(user, `inbox.${user.id}`, { origin });
  return (await s.opened) ? "open" : (s.refusedStatus ?? 0);
}

describe("origins", () => {
  it("in development, accepts sockets from localhost, 127.0.0.1 and [::1] on its port, and refuses others with 403", async () => {
    const t = await startTestServer();
    const alice = await t.signUp("Alice");
    for (const host of ["localhost", "127.0.0.1", "[::1]"])
      expect(await opens(t, alice, `http://${host}:${t.port}`), host).toBe("open");
    for (const origin of ["https://evil.example", `http://evil.example:${t.port}`, `http://localhost:${t.port + 1}`])
      expect(await opens(t, alice, origin), origin).toBe(403);
  });

  it("in development, a browser at 127.0.0.1 signs in and its cookie opens a socket", async () => {
    const t = await startTestServer();
    const alice = await t.signUp("Alice");
    const origin = `http://127.0.0.1:${t.port}`;
    const cookie = await browserSignIn(t, alice, origin);
    const s = t.rawSocket(null, `inbox.${alice.id}`, { origin, cookie });
    expect(await s.opened).toBe(true);
    const posted = await fetch(`http://127.0.0.1:${t.port}/api/conversations`, {
      method: "POST",
      headers: { "content-type": "application/json", origin, cookie },
      body: JSON.stringify({ userId: (await t.signUp("Bob")).id }),
    });
    expect(posted.status).toBe(201);
  });

  it("in production, accepts BASE_URL and TRUSTED_ORIGINS only", async () => {
    const t = await startTestServer({
      env: {
        NODE_ENV: "production",
        AUTH_SECRET: "a-test-secret-that-is-long-enough-to-use",
        BASE_URL: "https://chat.example.com",
        TRUSTED_ORIGINS: "https://admin.example.com",
      },
    });
    const alice = await t.signUp("Alice");
    expect(await opens(t, alice, "https://chat.example.com")).toBe("open");
    expect(await opens(t, alice, "https://admin.example.com")).toBe("open");
    for (const host of ["localhost", "127.0.0.1", "[::1]"])
      expect(await opens(t, alice, `http://${host}:${t.port}`), host).toBe(403);
    expect(await opens(t, alice, "https://evil.example")).toBe(403);
  });
});
