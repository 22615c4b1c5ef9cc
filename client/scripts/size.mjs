// Budget check, run after `vite build`: sums the gzipped size of the JavaScript that
// index.html loads up front (entry scripts and modulepreloads) and fails above the budget.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 100 * 1024;
const dist = new URL("../dist/", import.meta.url);
const html = readFileSync(new URL("index.html", dist), "utf8");
const urls = new Set();
for (const m of html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)) urls.add(m[1]);
for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) urls.add(m[1]);
if (urls.size === 0) {
  console.error("size: no module scripts found in dist/index.html; did the build run?");
  process.exit(1);
}
let total = 0;
for (const url of urls) {
  const bytes = gzipSync(readFileSync(new URL(url.replace(/^\//, ""), dist)), { level: 9 }).length;
  total += bytes;
  console.log(`  ${url}  ${(bytes / 1024).toFixed(1)} KB gz`);
}
const verdict = total <= BUDGET_BYTES ? "within" : "OVER";
console.log(`initial JS: ${(total / 1024).toFixed(1)} KB gzipped (${verdict} the ${BUDGET_BYTES / 1024} KB budget)`);
if (total > BUDGET_BYTES) process.exit(1);
