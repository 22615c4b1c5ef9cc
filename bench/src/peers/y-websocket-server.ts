/**
 * Peer (b): the reference y-websocket relay, `@y/websocket-server` 0.1.1, exactly as its
 * README wires it: a plain http server whose upgrades go to `setupWSConnection`. Memory
 * only (YPERSISTENCE unset), no auth, no validation. Prints {"listening":port} when ready;
 * PEER_PORT picks the port (a restart on the same address), else any free one.
 */
import { createServer } from "node:http";
import { setupWSConnection } from "@y/websocket-server/utils";
import { WebSocketServer } from "ws";

const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("ok");
});
const wss = new WebSocketServer({ noServer: true });
wss.on("connection", (ws, req) => setupWSConnection(ws, req));
server.on("upgrade", (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
});
server.listen(Number(process.env.PEER_PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  console.log(JSON.stringify({ listening: typeof address === "object" && address ? address.port : 0 }));
});
process.on("SIGTERM", () => {
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
});
