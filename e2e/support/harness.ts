/** One server and one browser per test file: start in beforeAll, stop in afterAll. */
import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser.js";
import { type RunningServer, startServer } from "./server.js";

export interface Harness {
  server: RunningServer;
  browser: Browser;
  baseURL: string;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const [server, browser] = await Promise.allSettled([startServer(), launchBrowser()]);
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
