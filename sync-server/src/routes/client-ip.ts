/**
 * The client address for per-IP rate limits. The socket's peer, unless that peer is a
 * reverse proxy listed in TRUSTED_PROXIES: then the nearest X-Forwarded-For hop that is
 * not itself a trusted proxy. A client can prepend anything to X-Forwarded-For, so the
 * list is read from the right, and only through proxies we trust.
 */
export function clientIp(
  socketIp: string | undefined,
  forwardedFor: string | null | undefined,
  trustedProxies: readonly string[],
): string | undefined {
  if (!socketIp || !trustedProxies.includes(socketIp) || !forwardedFor) return socketIp;
  const hops = forwardedFor
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trustedProxies.includes(hop)) return hop;
  }
  return socketIp;
}
