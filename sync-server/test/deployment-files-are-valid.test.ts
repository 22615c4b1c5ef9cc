/**
 * The deployment files, checked without a Docker engine: `docker compose config` (the client
 * alone parses and interpolates) for both profiles, and the Dockerfile against the workspaces.
 * Without a compose client the first test fails and says how to install one (.ci/run does).
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers/process.js";

/** `docker compose` (v2), else `docker-compose` (v1), else why neither can run. */
function composeCommand(): { argv: string[] } | { reason: string } {
  for (const argv of [["docker", "compose"], ["docker-compose"]]) {
    const [bin, ...rest] = argv as [string, ...string[]];
    const probe = spawnSync(bin, [...rest, "version"], { encoding: "utf8" });
    if (probe.status === 0) return { argv };
  }
  return {
    reason:
      "neither `docker compose` nor `docker-compose` is installed: `apt-get install docker-compose` (.ci/run does)",
  };
}

const compose = composeCommand();

function config(args: string[]): string {
  if (!("argv" in compose)) throw new Error(compose.reason);
  const [bin, ...rest] = compose.argv as [string, ...string[]];
  return execFileSync(bin, [...rest, "-f", path.join(REPO_ROOT, "docker-compose.yml"), ...args], {
    cwd: REPO_ROOT,
    // Only what compose needs: a stray .env or variable must not make this pass.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AUTH_SECRET: "x".repeat(32) },
    encoding: "utf8",
  });
}

describe("deployment files", () => {
  it("docker compose config accepts the default service and the postgres profile", () => {
    // Compose exits non-zero on a file it cannot parse or interpolate. (v1 lists profiled
    // services even without their profile, so only inclusion is checked.)
    expect(config(["config", "--services"]).split("\n")).toContain("messenger");
    const services = config(["--profile", "postgres", "config", "--services"]).split("\n");
    expect(services).toEqual(expect.arrayContaining(["messenger", "messenger-postgres", "postgres"]));
    expect(config(["--profile", "postgres", "config"])).toMatch(/condition: service_healthy/);
  });

  it("the Dockerfile copies every workspace's package.json before npm ci, and runs the compiled server", () => {
    const dockerfile = fs.readFileSync(path.join(REPO_ROOT, "Dockerfile"), "utf8");
    const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { workspaces: string[] };
    for (const workspace of root.workspaces) {
      const copies = dockerfile.match(new RegExp(`^COPY ${workspace}/package\\.json ${workspace}/$`, "gm")) ?? [];
      expect(copies, workspace).toHaveLength(2); // the build stage and the production-dependencies stage
    }
    expect(dockerfile).toMatch(/^CMD \["node", "sync-server\/dist\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  });
});
