/**
 * The deployment files, checked without a Docker engine: `docker compose config` (the client
 * alone parses and interpolates) for every profile, the Dockerfile against the workspaces, and
 * the cluster profile's HAProxy configuration with `haproxy -c` against the compose services.
 * Without a compose client or haproxy the tests that need them fail and say how to install
 * them (.ci/run does).
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
const HAPROXY_CFG = path.join(REPO_ROOT, "deploy", "haproxy.cfg");

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

/**
 * One service of a rendered compose file: its lines, from `  name:` to the next service.
 * (Both compose v1 and v2 render services two spaces in, their keys further in.)
 */
function serviceBlock(rendered: string, name: string): string {
  const lines = rendered.split("\n");
  const start = lines.indexOf(`  ${name}:`);
  if (start < 0) throw new Error(`no service ${name} in:\n${rendered}`);
  const end = lines.findIndex((line, i) => i > start && /^ {0,2}\S/.test(line));
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

/** `haproxy -c`: exit code and output, or why it cannot run. */
function haproxyCheck(): { status: number | null; output: string } {
  const run = spawnSync("haproxy", ["-c", "-f", HAPROXY_CFG], { encoding: "utf8" });
  if (run.error)
    throw new Error(
      `haproxy is needed to check deploy/haproxy.cfg and cannot run (${run.error.message}): \`apt-get install haproxy\` (.ci/run does)`,
    );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("deployment files", () => {
  it("docker compose config accepts the default service and the postgres and cluster profiles", () => {
    // Compose exits non-zero on a file it cannot parse or interpolate. (v1 lists profiled
    // services even without their profile, so only inclusion is checked.)
    expect(config(["config", "--services"]).split("\n")).toContain("messenger");
    const services = config(["--profile", "postgres", "config", "--services"]).split("\n");
    expect(services).toEqual(expect.arrayContaining(["messenger", "messenger-postgres", "postgres"]));
    expect(config(["--profile", "postgres", "config"])).toMatch(/condition: service_healthy/);
    const cluster = config(["--profile", "cluster", "config", "--services"]).split("\n");
    for (const service of ["messenger-cluster-1", "messenger-cluster-2", "messenger-cluster-3", "postgres", "redis"])
      expect(cluster).toContain(service);
    expect(cluster).toContain("haproxy");
  });

  it("the cluster profile puts three processes on one PostgreSQL and one Redis behind HAProxy, which they trust as a proxy", () => {
    const rendered = config(["--profile", "cluster", "config"]);
    const replicas = ["messenger-cluster-1", "messenger-cluster-2", "messenger-cluster-3"];
    const lb = serviceBlock(rendered, "haproxy");
    const lbAddress = /ipv4_address: (\S+)/.exec(lb)?.[1];
    expect(lbAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(lb).toMatch(/image: haproxy:/);
    // Mounted where the image reads it (v1 renders `source:target`, v2 `source:` and `target:`).
    expect(lb).toContain(HAPROXY_CFG);
    expect(lb).toMatch(/[: ]\/usr\/local\/etc\/haproxy\/haproxy\.cfg\b/);
    for (const replica of replicas) {
      const block = serviceBlock(rendered, replica);
      expect(block, replica).toMatch(/^ +DATABASE_URL: postgres:\/\/messenger:[^@]+@postgres:5432\/messenger$/m);
      expect(block, replica).toMatch(/^ +REDIS_URL: redis:\/\/redis:6379$/m);
      expect(block, replica).toMatch(/^ +AUTH_SECRET: x{32}$/m);
      expect(block, replica).toMatch(new RegExp(`^ +TRUSTED_PROXIES: ${lbAddress?.replaceAll(".", "\\.")}$`, "m"));
      // It waits for PostgreSQL and Redis to answer, and is reached only through HAProxy.
      expect(block, replica).toMatch(/postgres:\n +condition: service_healthy/);
      expect(block, replica).toMatch(/redis:\n +condition: service_healthy/);
      expect(block, replica).not.toMatch(/^ +ports:/m);
      expect(lb, "haproxy depends on it").toMatch(new RegExp(`^ +${replica}:$`, "m"));
    }
    // What service_healthy waits for.
    expect(serviceBlock(rendered, "redis")).toMatch(/healthcheck:[\s\S]*redis-cli[\s\S]*ping/);
    expect(serviceBlock(rendered, "postgres")).toMatch(/healthcheck:[\s\S]*pg_isready/);
  });

  it("HAProxy's configuration is valid and sends WebSockets to every cluster process that answers /api/ready", () => {
    const cfg = fs.readFileSync(HAPROXY_CFG, "utf8");
    const servers = [...cfg.matchAll(/^\s*server \S+ ([\w.-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    const replicas = config(["--profile", "cluster", "config", "--services"])
      .split("\n")
      .filter((name) => /^messenger-cluster-\d+$/.test(name));
    // Port 3000: what the image listens on (the Dockerfile's PORT).
    expect(servers.sort()).toEqual(replicas.map((name) => `${name}:3000`).sort());
    expect(cfg).toMatch(/^\s*http-check send meth GET uri \/api\/ready\b/m);
    expect(cfg).toMatch(/^\s*http-check expect status 200$/m);
    expect(cfg).toMatch(/^\s*balance (leastconn|roundrobin)$/m);
    expect(cfg).toMatch(/^\s*option forwardfor$/m);
    expect(cfg).toMatch(/^\s*timeout tunnel \d+[hm]$/m);
    expect(cfg).not.toMatch(/^\s*(cookie|stick-table|stick on)\b/m); // any process serves any document
    // The frontend binds the port compose publishes.
    const bind = /^\s*bind :(\d+)$/m.exec(cfg)?.[1];
    expect(serviceBlock(config(["--profile", "cluster", "config"]), "haproxy")).toMatch(
      new RegExp(`target: ${bind}\\b|:${bind}"?$`, "m"),
    );

    const check = haproxyCheck();
    expect(check.output).toMatch(/Configuration file is valid/);
    expect(check.status).toBe(0);
    // The only warnings allowed: the compose service names do not resolve outside compose.
    const warnings = check.output.split("\n").filter((line) => line.includes("[WARNING]"));
    for (const warning of warnings) expect(warning).toMatch(/could not resolve address 'messenger-cluster-\d+'/);
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
