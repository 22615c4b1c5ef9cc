import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { createOrigins, httpOrigin } from "./origins.js";

const SECRET = "x".repeat(32);

describe("trusted origins", () => {
  it("trusts localhost, 127.0.0.1 and [::1] on the server's own port in development", () => {
    const origins = createOrigins(loadConfig({ PORT: "3000" }));
    for (const origin of ["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"])
      expect(origins.isTrusted(origin), origin).toBe(true);
    for (const origin of ["http://localhost:3001", "https://localhost:3000", "http://evil.example:3000"])
      expect(origins.isTrusted(origin), origin).toBe(false);
  });

  it("learns the port when PORT=0 once the server listens, and prints a URL that is trusted", () => {
    const origins = createOrigins(loadConfig({ PORT: "0", HOST: "127.0.0.1" }));
    expect(origins.isTrusted("http://127.0.0.1:0")).toBe(false);
    origins.listening(41234);
    expect(origins.isTrusted("http://127.0.0.1:41234")).toBe(true);
    expect(origins.isTrusted("http://localhost:41234")).toBe(true);
    expect(origins.url()).toBe("http://127.0.0.1:41234");
    expect(origins.isTrusted(origins.url())).toBe(true);
  });

  it("trusts the address HOST names in development, and prints it", () => {
    const origins = createOrigins(loadConfig({ PORT: "3000", HOST: "192.168.1.20" }));
    expect(origins.isTrusted("http://192.168.1.20:3000")).toBe(true);
    expect(origins.url()).toBe("http://192.168.1.20:3000");
    const v6 = createOrigins(loadConfig({ PORT: "3000", HOST: "::1" }));
    expect(v6.url()).toBe("http://[::1]:3000");
    const any = createOrigins(loadConfig({ PORT: "3000", HOST: "0.0.0.0" }));
    expect(any.url()).toBe("http://localhost:3000");
  });

  it("trusts only BASE_URL and TRUSTED_ORIGINS in production", () => {
    const origins = createOrigins(
      loadConfig({
        NODE_ENV: "production",
        AUTH_SECRET: SECRET,
        PORT: "3000",
        BASE_URL: "https://chat.example.com",
        TRUSTED_ORIGINS: "https://admin.example.com",
      }),
    );
    origins.listening(3000);
    expect(origins.list().sort()).toEqual(["https://admin.example.com", "https://chat.example.com"]);
    expect(origins.isTrusted("http://localhost:3000")).toBe(false);
    expect(origins.isTrusted("http://127.0.0.1:3000")).toBe(false);
    expect(origins.url()).toBe("https://chat.example.com");
  });

  it("writes origins as browsers send them", () => {
    expect(httpOrigin("localhost", 80)).toBe("http://localhost");
    expect(httpOrigin("::1", 3000)).toBe("http://[::1]:3000");
    expect(httpOrigin("[::1]", 3000)).toBe("http://[::1]:3000");
  });
});
