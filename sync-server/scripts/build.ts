/**
 * Compiles the server ahead of time into one ES module, sync-server/dist/main.js (plus its
 * source map), so production runs `node sync-server/dist/main.js` with no TypeScript tooling.
 *
 * The workspace packages (@messenger/shared, @messenger/seeds) are TypeScript sources and are
 * bundled in; every npm package stays external and is loaded from node_modules (the image
 * installs them with `npm ci --omit=dev`), native better-sqlite3 included.
 *
 *   node --import tsx scripts/build.ts [outdir]     (npm run build -w sync-server)
 */
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

const SERVER_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_OUTDIR = path.join(SERVER_ROOT, "dist");

/** Bare imports other than our workspaces are left to node_modules at run time. */
const npmPackagesExternal: Plugin = {
  name: "npm-packages-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@messenger/") ? undefined : { path: args.path, external: true },
    );
  },
};

/** Writes `<outdir>/main.js`; resolves with its path. */
export async function buildServer(outdir = DEFAULT_OUTDIR): Promise<string> {
  const outfile = path.join(outdir, "main.js");
  await build({
    entryPoints: [path.join(SERVER_ROOT, "src", "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    sourcemap: true,
    logLevel: "warning",
    plugins: [npmPackagesExternal],
  });
  return outfile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outfile = await buildServer(process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_OUTDIR);
  process.stdout.write(`built ${path.relative(process.cwd(), outfile)}\n`);
}
