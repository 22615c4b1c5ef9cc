/** One server and one browser per test file: start in beforeAll, stop in afterAll. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchBrowser } from "./browser.js";
import { keepPagesOnFailure } from "./failures.js";
import { type RunningServer, startServer } from "./server.js";

export interface Harness {
  server: RunningServer;
  browser: Browser;
  baseURL: string;
  stop(): Promise<void>;
}

/** `env` overrides the server's environment (e.g. `{ BASE_URL: "" }` for its default). */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const [server, browser] = await Promise.allSettled([startServer(env), launchBrowser()]);
  if (server.status === "rejected" || browser.status === "rejected") {
    if (server.status === "fulfilled") await server.value.stop();
    if (browser.status === "fulfilled") await browser.value.close();
    throw server.status === "rejected" ? server.reason : (browser as PromiseRejectedResult).reason;
  }
  return started(server.value, browser.value);
}

function started(server: RunningServer, browser: Browser): Harness {
  return {
    server,
    browser,
    baseURL: server.url,
    async stop() {
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}

/**
 * Registers a file's harness: started before the file's own beforeAll hooks (call it
 * first in the describe block), stopped after its tests, pages kept when a test fails.
 * The fields read through to the running harness.
 */
export function useHarness(env: Record<string, string> = {}): Omit<Harness, "stop"> {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startHarness(env);
  });
  afterAll(async () => {
    await h?.stop();
  });
  keepPagesOnFailure(() => h?.browser);
  const running = (): Harness => {
    if (!h) throw new Error("the harness is not running: use it inside hooks and tests");
    return h;
  };
  return {
    get server() {
      return running().server;
    },
    get browser() {
      return running().browser;
    },
    get baseURL() {
      return running().baseURL;
    },
  };
}
