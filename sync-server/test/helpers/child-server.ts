/**
 * Entry point for tests that need a real process to kill -9: configured from the
 * environment like production, prints `LISTENING <port>` once serving.
 */
import { loadConfig } from "../../src/config.js";
import { startComposed } from "./compose.js";

const running = await startComposed(loadConfig(process.env));
process.stdout.write(`LISTENING ${running.port}\n`);
const stop = () => void running.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
