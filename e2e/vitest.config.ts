import { defineConfig } from "vitest/config";

// Browser tests: a real server process per file, Debian's Chromium driven by playwright-core.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["./support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: one browser-heavy file at a time keeps runs stable.
    fileParallelism: false,
    pool: "forks",
  },
});
