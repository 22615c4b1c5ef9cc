/** Debian's Chromium through playwright-core: no browser download, ever. */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, devices, type Page } from "playwright-core";

export const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "artifacts");
export const SCREENSHOTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "docs",
  "screenshots",
);

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-quic",
      "--disable-sync",
    ],
  });
}

export type Viewport = "desktop" | "phone";

export async function newContext(
  browser: Browser,
  baseURL: string,
  viewport: Viewport = "desktop",
): Promise<BrowserContext> {
  const options =
    viewport === "phone"
      ? { ...devices["iPhone 13"], viewport: { width: 390, height: 844 }, baseURL, serviceWorkers: "allow" as const }
      : { viewport: { width: 1280, height: 800 }, baseURL, serviceWorkers: "allow" as const };
  const { defaultBrowserType: _ignored, ...rest } = options as typeof options & { defaultBrowserType?: string };
  return browser.newContext(rest);
}

/** The viewport at CSS pixels (a phone's 3× device pixels would triple each side), into docs/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({
    path: path.join(SCREENSHOTS, `${name}.png`),
    scale: "css",
    animations: "disabled",
    caret: "hide",
  });
}
