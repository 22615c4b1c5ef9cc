/**
 * Which code a server of ours runs: `tsx` reads the working tree at every start, so a run
 * that starts ours several times can measure several versions when someone commits or
 * edits meanwhile. Returns the checkout's commit, with "+<hash of the diff>" when
 * sync-server/, shared/ or seeds/ differ from it, or null when git cannot tell.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";

const SERVER_PATHS = ["sync-server", "shared", "seeds"];

export function serverCodeVersion(serverMain: string): string | null {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", path.dirname(serverMain), ...args], { encoding: "utf8", maxBuffer: 64 * 1024 ** 2 });
    const root = git("rev-parse", "--show-toplevel").trim();
    const head = git("rev-parse", "--short", "HEAD").trim();
    const diff = execFileSync("git", ["-C", root, "diff", "HEAD", "--", ...SERVER_PATHS], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 ** 2,
    });
    return diff === "" ? head : `${head}+${createHash("sha1").update(diff).digest("hex").slice(0, 7)}`;
  } catch {
    return null;
  }
}
