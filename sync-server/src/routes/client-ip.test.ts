import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip.js";

describe("client address for rate limits", () => {
  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For claims", () => {
    expect(clientIp("203.0.113.7", "1.2.3.4", [])).toBe("203.0.113.7");
  });

  it("is the hop the trusted proxy saw, not what the client prepended", () => {
    // The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the real address.
    expect(clientIp("10.0.0.2", "6.6.6.6, 198.51.100.9", ["10.0.0.2"])).toBe("198.51.100.9");
  });

  it("skips a chain of trusted proxies", () => {
    expect(clientIp("10.0.0.2", "198.51.100.9, 10.0.0.3", ["10.0.0.2", "10.0.0.3"])).toBe("198.51.100.9");
  });

  it("falls back to the socket's peer when the header is missing or names only proxies", () => {
    expect(clientIp("10.0.0.2", null, ["10.0.0.2"])).toBe("10.0.0.2");
    expect(clientIp("10.0.0.2", "10.0.0.2", ["10.0.0.2"])).toBe("10.0.0.2");
  });
});
