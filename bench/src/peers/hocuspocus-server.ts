/**
 * Peer (c): a Hocuspocus 3.4.x server with no extensions: memory only, no auth hook,
 * no store hook. Prints {"listening":port} when ready; PEER_PORT picks the port (a restart
 * on the same address), else any free one.
 */
import { Server } from "@hocuspocus/server";

const server = new Server({
  port: Number(process.env.PEER_PORT ?? 0),
  address: "127.0.0.1",
  quiet: true,
  stopOnSignals: false,
});
await server.listen();
console.log(JSON.stringify({ listening: server.address.port }));
process.on("SIGTERM", () => {
  void server.destroy().finally(() => process.exit(0));
});
