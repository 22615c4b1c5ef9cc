/**
 * When a test fails, keeps what the pages showed: a screenshot and the visible text of
 * each open page, in e2e/artifacts/<test name>/ (git-ignored). Register once per file.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterEach } from "vitest";
import { ARTIFACTS } from "./browser.js";

export function keepPagesOnFailure(browser: () => Browser | undefined): void {
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== "fail") return;
    const b = browser();
    if (!b) return;
    const dir = path.join(ARTIFACTS, ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 80));
    fs.mkdirSync(dir, { recursive: true });
    let n = 0;
    for (const context of b.contexts()) {
      for (const page of context.pages()) {
        n++;
        await page.screenshot({ path: path.join(dir, `page-${n}.png`) }).catch(() => {});
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text (what a person saw) is the point here
        const text = await page.evaluate(() => document.body.innerText).catch((e: unknown) => String(e));
        fs.writeFileSync(path.join(dir, `page-${n}.txt`), `${page.url()}\n\n${text}`);
      }
    }
  });
}
