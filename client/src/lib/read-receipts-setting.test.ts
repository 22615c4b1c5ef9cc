import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./api.js";
import { memoryStore } from "./memory-store.js";
import { createReadReceiptsSetting } from "./read-receipts-setting.js";

describe("the read receipts setting", () => {
  it("is on until the server says otherwise, and remembers the answer for the next (offline) start", async () => {
    const store = memoryStore();
    const api = { settings: vi.fn(async () => ({ settings: { readReceipts: false } })), updateSettings: vi.fn() };
    const first = createReadReceiptsSetting({ api, userId: "me", store });
    expect(first.readReceipts()).toBe(true);
    await first.refresh();
    expect(first.readReceipts()).toBe(false);
    expect(createReadReceiptsSetting({ api, userId: "me", store }).readReceipts()).toBe(false);
  });

  it("shows a change at once and puts it back when the server refuses it", async () => {
    const api = {
      settings: vi.fn(),
      updateSettings: vi.fn(async () => {
        throw new ApiError(0, "NETWORK");
      }),
    };
    const setting = createReadReceiptsSetting({ api, userId: "me", store: memoryStore() });
    const change = setting.set(false);
    expect(setting.readReceipts()).toBe(false);
    await expect(change).rejects.toBeInstanceOf(ApiError);
    expect(setting.readReceipts()).toBe(true);
  });

  it("follows a change another device made, heard through the inbox, but not while its own change is out", async () => {
    const store = memoryStore();
    let answer: (v: { settings: { readReceipts: boolean } }) => void = () => {};
    const api = {
      settings: vi.fn(),
      updateSettings: vi.fn(
        () => new Promise<{ settings: { readReceipts: boolean } }>((resolve) => (answer = resolve)),
      ),
    };
    const setting = createReadReceiptsSetting({ api, userId: "me", store });
    setting.heard(false);
    expect(setting.readReceipts()).toBe(false);
    expect(createReadReceiptsSetting({ api, userId: "me", store }).readReceipts()).toBe(false);
    const change = setting.set(true);
    setting.heard(false); // the inbox still says what it said before this device's change
    expect(setting.readReceipts()).toBe(true);
    answer({ settings: { readReceipts: true } });
    await change;
    expect(setting.readReceipts()).toBe(true);
  });
});
