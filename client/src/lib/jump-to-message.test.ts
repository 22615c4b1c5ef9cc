import { createRoot, createSignal } from "solid-js";
import { describe, expect, it, vi } from "vitest";
import { createJumpToMessage } from "./jump-to-message.js";

vi.mock("solid-js", async () => (await import("solid-js/dist/solid.js" as string)) as typeof import("solid-js"));

function setup(found: boolean) {
  return createRoot((dispose) => {
    const [messageId, setMessageId] = createSignal<string | undefined>("m-target-1");
    const [ready, setReady] = createSignal(false);
    const [present, setPresent] = createSignal<string[]>([]);
    const openAt = vi.fn(async () => found);
    const scrollTo = vi.fn();
    const jump = createJumpToMessage({
      messageId,
      ready,
      has: (id) => present().includes(id),
      openAt,
      scrollTo,
    });
    return { jump, setMessageId, setReady, setPresent, openAt, scrollTo, dispose };
  });
}

describe("opening a conversation at a message", () => {
  it("waits for the live timeline, then opens and scrolls to the message once, and highlights it", async () => {
    const t = setup(true);
    expect(t.openAt).not.toHaveBeenCalled();
    t.setReady(true);
    t.setReady(false);
    t.setReady(true);
    await Promise.resolve();
    expect(t.openAt).toHaveBeenCalledTimes(1);
    expect(t.openAt).toHaveBeenCalledWith("m-target-1");
    expect(t.scrollTo).toHaveBeenCalledWith("m-target-1");
    expect(t.jump.target()).toBe("m-target-1");
    expect(t.jump.missing()).toBe(false);
    t.dispose();
  });

  it("says the message is missing only while it is not in the timeline", async () => {
    const t = setup(false);
    t.setReady(true);
    await vi.waitFor(() => expect(t.jump.missing()).toBe(true));
    t.setPresent(["m-target-1"]);
    expect(t.jump.missing()).toBe(false);
    t.dispose();
  });

  it("opens the same message again after the route left it, and forgets the highlight when cleared", async () => {
    const t = setup(true);
    t.setReady(true);
    t.setMessageId(undefined);
    t.jump.clear();
    expect(t.jump.target()).toBeNull();
    t.setMessageId("m-target-1");
    expect(t.openAt).toHaveBeenCalledTimes(2);
    t.dispose();
  });
});
