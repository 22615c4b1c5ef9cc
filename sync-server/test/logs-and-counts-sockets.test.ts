import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLOSE_CODES } from "@messenger/shared";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadConfig } from "../src/config.js";
import type { Logger } from "../src/logger.js";
import { startServer } from "../src/main.js";
import { connectTo, waitFor } from "./helpers/server.js";

type Line = { level: string; msg: string } & Record<string, unknown>;

describe("socket logs and metrics", () => {
  it("logs each socket's open, close and refusal with the reason, and counts them at /metrics", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "messenger-socklog-"));
    const config = loadConfig(
      { NODE_ENV: "test", PORT: "0", HOST: "127.0.0.1", DATA_DIR: dir, CLIENT_DIST: "", SEED: "false" },
      dir,
    );
    const lines: Line[] = [];
    const at =
      (level: string) =>
      (msg: string, data?: Record<string, unknown>): void =>
        void lines.push({ level, msg, ...data });
    const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
    const running = await startServer(config, { logger });
    const t = connectTo(`http://127.0.0.1:${running.port}`, config.baseUrl);
    onTestFinished(async () => {
      await t.cleanup();
      await running.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const metric = async (pattern: RegExp) => {
      const text = await (await fetch(`http://127.0.0.1:${running.port}/metrics`)).text();
      return pattern.exec(text)?.[1];
    };

    const alice = await t.signUp("Alice");
    const refused = t.rawSocket(null, `inbox.${alice.id}`, { "x-request-id": "refused-1" });
    expect(await refused.opened).toBe(false);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "socket refused", id: "refused-1", code: "UNAUTHENTICATED", status: 401 }),
    );
    expect(await metric(/^messenger_socket_upgrades_refused_total\{code="UNAUTHENTICATED"\} (\d+)$/m)).toBe("1");

    const bad = t.rawSocket(alice, `inbox.${alice.id}`, { "x-request-id": "bad-1" });
    expect(await bad.opened).toBe(true);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "socket open", id: "bad-1", doc: `inbox.${alice.id}`, user: alice.id }),
    );
    expect(await metric(/^messenger_sockets_open (\d+)$/m)).toBe("1");
    bad.ws.send(new Uint8Array([7, 1, 2])); // an unknown message type
    expect(await waitFor(() => bad.closeCode, "the bad socket closes")).toBe(CLOSE_CODES.MALFORMED_FRAME);
    const closed = await waitFor(() => lines.find((l) => l.msg === "socket closed" && l.id === "bad-1"), "close log");
    expect(closed).toMatchObject({ code: CLOSE_CODES.MALFORMED_FRAME, doc: `inbox.${alice.id}`, user: alice.id });
    expect(await metric(/^messenger_frames_refused_total\{reason="MALFORMED_FRAME"\} (\d+)$/m)).toBe("1");
    expect(await metric(/^messenger_sockets_open (\d+)$/m)).toBe("0");
  });
});
