/**
 * Client build (root: client/, output client/dist). The dev server proxies the API and
 * the sync relay to the server on :3000; production serves dist and both on one origin.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import solid from "vite-plugin-solid";

const clientRoot = fileURLToPath(new URL("./client", import.meta.url));
/** Where the dev server proxies /api and /sync (override to point at a server on another port). */
const API_TARGET = process.env.MESSENGER_SERVER ?? "http://localhost:3000";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Emits sw.js from client/sw/sw.js with the list of built files to precache. */
function serviceWorker(): Plugin {
  return {
    name: "messenger-service-worker",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const publicDir = join(clientRoot, "public");
      const built = Object.keys(bundle).filter((f) => !f.endsWith(".map") && f !== "index.html");
      const statics = filesUnder(publicDir).map((f) => relative(publicDir, f).split("\\").join("/"));
      const urls = ["/index.html", ...[...built, ...statics].map((f) => `/${f}`)].sort();
      const version = createHash("sha256").update(urls.join("\n")).digest("hex").slice(0, 12);
      const template = readFileSync(join(clientRoot, "sw/sw.js"), "utf8");
      this.emitFile({
        type: "asset",
        fileName: "sw.js",
        source: template.replace("__VERSION__", version).replace("__PRECACHE__", JSON.stringify(urls)),
      });
    },
  };
}

export default defineConfig({
  // Vitest runs from the repo root and must not adopt the client as its root.
  root: process.env.VITEST ? undefined : clientRoot,
  plugins: [solid(), serviceWorker()],
  server: {
    port: 5173,
    proxy: {
      "/api": { target: API_TARGET, changeOrigin: false },
      "/sync": { target: API_TARGET, ws: true },
    },
  },
  preview: { port: 5173 },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    rolldownOptions: {
      treeshake: {
        // shared/src/api.ts declares zod request schemas for the server; the client only
        // imports its types. Without this, the module-level z.*() calls keep zod (~25 KB gz).
        moduleSideEffects: [{ test: /shared[\\/]src[\\/]api\.ts$/, sideEffects: false }],
      },
    },
  },
});
