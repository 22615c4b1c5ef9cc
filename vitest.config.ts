import { defineConfig } from "vitest/config";

// Unit, HTTP and headless sync tests. Browser tests live in e2e/ with their own config.
export default defineConfig({
  test: {
    include: ["{shared,sync-server,client,seeds}/**/*.test.{ts,tsx}"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: { NODE_ENV: "test" },
  },
});
