import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";
const root = fileURLToPath(new URL("./client", import.meta.url));
export default defineConfig({
  root,
  plugins: [solid()],
  build: { outDir: "dist", emptyOutDir: true, rolldownOptions: { treeshake: { moduleSideEffects: [{ test: /shared\/src\/api\.ts$/, sideEffects: false }] } } },
});
