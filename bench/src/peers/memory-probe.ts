/**
 * Preloaded into every server process of the scale bench (`node --expose-gc --import tsx
 * --import <this> <entry>`), ours and the peers alike, so their heap figures compare: on
 * SIGUSR2, a full garbage collection, then process.memoryUsage() as one JSON line on
 * stdout, {"memoryProbe": {...}}. Nothing else changes in the process.
 */
process.on("SIGUSR2", () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ memoryProbe: { heapUsedBytes: m.heapUsed, rssBytes: m.rss, externalBytes: m.external } })}\n`,
  );
});
