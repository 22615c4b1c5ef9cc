/**
 * Which browser origins may call the API, sign in and open sockets.
 *
 *  - production: BASE_URL plus TRUSTED_ORIGINS, nothing else;
 *  - development: also the addresses the server is reached at on this machine —
 *    http://localhost, http://127.0.0.1 and http://[::1] on its own port, and HOST's
 *    own address when HOST names one — so the URL it prints always works.
 *
 * Only loopback names and literal addresses are added: a DNS-rebinding page carries its
 * own host name in `Origin`, never one of these. The port is known only once the server
 * listens when PORT=0, so main.ts reports it with `listening(port)`.
 */
import type { Config } from "./config.js";

export interface Origins {
  isTrusted(origin: string): boolean;
  /** Every origin trusted now (better-auth asks per request). */
  list(): string[];
  /** The port the server listens on (PORT=0 picks one at start). */
  listening(port: number): void;
  /** The address to open the app at: BASE_URL in production, a loopback URL on the real port otherwise. */
  url(): string;
}

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];
const WILDCARD_HOSTS = new Set(["", "0.0.0.0", "::", "[::]", "localhost"]);

/** `http://<host>:<port>` as a browser writes it in `Origin` (no :80, IPv6 in brackets). */
export function httpOrigin(host: string, port: number): string {
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return new URL(`http://${bracketed}:${port}`).origin;
}

/** http://localhost, 127.0.0.1 and [::1] on `port`. */
export function loopbackOrigins(port: number): string[] {
  return LOOPBACK_HOSTS.map((host) => httpOrigin(host, port));
}

export function createOrigins(
  config: Pick<Config, "production" | "baseUrl" | "trustedOrigins" | "port" | "host">,
): Origins {
  let port = config.port;
  let trusted = new Set<string>();
  const recompute = () => {
    const local: string[] = [];
    if (!config.production && port !== 0) {
      local.push(...loopbackOrigins(port));
      if (!WILDCARD_HOSTS.has(config.host)) local.push(httpOrigin(config.host, port));
    }
    trusted = new Set([...config.trustedOrigins, ...local]);
  };
  recompute();
  return {
    isTrusted: (origin) => trusted.has(origin),
    list: () => [...trusted],
    listening(actual) {
      port = actual;
      recompute();
    },
    url() {
      if (config.production) return config.baseUrl;
      return httpOrigin(WILDCARD_HOSTS.has(config.host) ? "localhost" : config.host, port);
    },
  };
}
