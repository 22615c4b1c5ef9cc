import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { APP_ROOT, ConfigError, loadConfig, readEnvironment } from "./config.js";

function envFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "messenger-env-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, ".env"), text);
  return dir;
}

describe("configuration", () => {
  it("works with no configuration at all", () => {
    const config = loadConfig({}, "/srv/app");
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe("/srv/app/data");
    expect(config.databasePath).toBe("/srv/app/data/messenger.sqlite");
    expect(config.seed).toBe(true);
    expect(config.production).toBe(false);
  });

  it("seeds demo users by default in development only", () => {
    expect(loadConfig({}).seed).toBe(true);
    expect(loadConfig({ NODE_ENV: "production", AUTH_SECRET: "x".repeat(32) }).seed).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", AUTH_SECRET: "x".repeat(32), SEED: "true" }).seed).toBe(true);
  });

  it("refuses to start in production without a secret and says how to fix it", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/AUTH_SECRET is required in production.*openssl rand/);
  });

  it("keeps PUSH_PROVIDER reserved: disabled by default, anything else refused with a sentence", () => {
    expect(loadConfig({}).pushProvider).toBe("disabled");
    expect(loadConfig({ PUSH_PROVIDER: "disabled" }).pushProvider).toBe("disabled");
    expect(() => loadConfig({ PUSH_PROVIDER: "webpush" })).toThrow(/PUSH_PROVIDER=webpush is reserved.*unset it/);
  });

  it("reports every bad variable at once", () => {
    try {
      loadConfig({ PORT: "http", SEED: "maybe", AUTH_SECRET: "short", LOG_LEVEL: "loud" });
      expect.unreachable("loadConfig should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.join("\n")).toMatch(/PORT=http/);
      expect(problems.join("\n")).toMatch(/SEED=maybe/);
      expect(problems.join("\n")).toMatch(/AUTH_SECRET must be at least 32/);
      expect(problems.join("\n")).toMatch(/LOG_LEVEL=loud/);
    }
  });

  it("runs as one of several processes only with both REDIS_URL and DATABASE_URL", () => {
    const pg = "postgres://127.0.0.1:5432/messenger";
    const cluster = loadConfig({ DATABASE_URL: pg, REDIS_URL: "redis://127.0.0.1:6379" });
    expect(cluster.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(cluster.redisKeyPrefix).toBe("messenger:");
    expect(loadConfig({}).redisUrl).toBeNull();
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ REDIS_URL: "redis://127.0.0.1:6379" }).join()).toMatch(/REDIS_URL needs DATABASE_URL/);
    expect(problems({ DATABASE_URL: pg, REDIS_URL: "http://x" }).join()).toMatch(/REDIS_URL must be a Redis URL/);
    expect(problems({ DATABASE_URL: pg, REDIS_URL: "redis://x", REDIS_KEY_PREFIX: "a b" }).join()).toMatch(
      /REDIS_KEY_PREFIX/,
    );
  });

  it("trusts only the app's own origin in production", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      AUTH_SECRET: "x".repeat(32),
      BASE_URL: "https://chat.example.com",
    });
    expect(config.trustedOrigins).toEqual(["https://chat.example.com"]);
  });

  it("reads .env beside the app, under the real environment", () => {
    const root = envFile("PORT=4000\nSEED=false\n# a comment\nLOG_LEVEL=debug\n");
    const env = readEnvironment({ PORT: "5000" }, root);
    expect(env).toMatchObject({ PORT: "5000", SEED: "false", LOG_LEVEL: "debug" });
    expect(readEnvironment({}, path.join(root, "nowhere"))).toEqual({});
  });

  it("reads the file ENV_FILE names, and says so when it cannot", () => {
    const root = envFile("SEED=false\n");
    expect(readEnvironment({ ENV_FILE: path.join(root, ".env") }, "/nowhere")).toMatchObject({ SEED: "false" });
    expect(() => readEnvironment({ ENV_FILE: path.join(root, "missing.env") })).toThrow(/ENV_FILE=.*cannot be read/);
  });

  it("finds .env.example safe to copy as is: it changes nothing in development", () => {
    const example = path.join(APP_ROOT, ".env.example");
    const copied = envFile(fs.readFileSync(example, "utf8"));
    expect(loadConfig(readEnvironment({}, copied), "/srv/app")).toEqual(loadConfig({}, "/srv/app"));
    // Every variable loadConfig reads is listed.
    const listed = new Set([...fs.readFileSync(example, "utf8").matchAll(/^# ([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const source = fs.readFileSync(path.join(APP_ROOT, "sync-server", "src", "config.ts"), "utf8");
    const read = new Set([...source.matchAll(/(?:env\.|int\(|bool\(|list\()"?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
    expect([...read].filter((name) => !listed.has(name))).toEqual([]);
  });
});
