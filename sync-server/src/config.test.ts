import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("configuration", () => {
  it("works with no configuration at all", () => {
    const config = loadConfig({}, "/srv/app");
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe("/srv/app/data");
    expect(config.databasePath).toBe("/srv/app/data/messenger.sqlite");
    expect(config.seed).toBe(true);
    expect(config.production).toBe(false);
  });

  it("refuses to start in production without a secret and says how to fix it", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/AUTH_SECRET is required in production.*openssl rand/);
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

  it("trusts only the app's own origin in production", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      AUTH_SECRET: "x".repeat(32),
      BASE_URL: "https://chat.example.com",
    });
    expect(config.trustedOrigins).toEqual(["https://chat.example.com"]);
  });
});
