/**
 * My "read receipts" setting (GET/PATCH /api/settings), cached per user so the conversation
 * screen knows offline whether to show others' read marks. Off: the server hides my read mark
 * from others, and this client hides theirs from me (delivery still shows), as WhatsApp does.
 */
import type { Settings } from "@messenger/shared";
import { createSignal } from "solid-js";
import type { Api } from "./api.js";
import { type KeyValueStore, readJson, userKey, writeJson } from "./local-data.js";

export function createReadReceiptsSetting(deps: {
  api: Pick<Api, "settings" | "updateSettings">;
  userId: string;
  store?: KeyValueStore;
}) {
  const store = deps.store ?? localStorage;
  const key = userKey(deps.userId, "settings");
  const [readReceipts, setReadReceipts] = createSignal(readJson<Settings>(store, key)?.readReceipts ?? true);
  const keep = (s: Settings) => {
    setReadReceipts(s.readReceipts);
    writeJson(store, key, s);
  };
  let changes = 0;
  let inFlight = 0;
  return {
    readReceipts,
    /** What the server wrote into my inbox (a change made on another device, live); ignored while mine is out. */
    heard(on: boolean): void {
      if (inFlight === 0 && on !== readReceipts()) keep({ readReceipts: on });
    },
    /** Reads the setting from the server (another device may have changed it). */
    async refresh(): Promise<void> {
      const before = changes;
      const { settings } = await deps.api.settings();
      // A change made while this read was out is newer than its answer.
      if (changes === before) keep(settings);
    },
    /** Shown at once; put back if the server refuses. */
    async set(on: boolean): Promise<void> {
      changes++;
      inFlight++;
      const previous = readReceipts();
      setReadReceipts(on);
      try {
        keep((await deps.api.updateSettings({ readReceipts: on })).settings);
      } catch (err) {
        setReadReceipts(previous);
        throw err;
      } finally {
        inFlight--;
      }
    },
  };
}
