/** Builds the client once before the browser tests, so the server serves what users get. */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The environment `npm run build` gets from a terminal. Vitest sets NODE_ENV=test (Vite
 * then builds with import.meta.env.PROD false, so no service worker is registered) and
 * VITEST* (vite.config.ts then stops treating client/ as the root).
 */
function buildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production" };
  for (const key of Object.keys(env)) if (key.startsWith("VITEST")) delete env[key];
  return env;
}

export default function setup(): void {
  execFileSync("npm", ["run", "build", "-w", "client"], { cwd: ROOT, stdio: "inherit", env: buildEnv() });
}
