import { CLOSE_CODES } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { closeAction, reconnectDelay } from "./close-policy.js";

describe("closeAction", () => {
  it("reconnects after try-again-later, shutdown, and an old server's rate-limit code", () => {
    for (const code of [CLOSE_CODES.TRY_AGAIN_LATER, CLOSE_CODES.GOING_AWAY, CLOSE_CODES.RATE_LIMITED]) {
      expect(closeAction(code)).toEqual({ kind: "retry", later: true });
    }
  });

  it("reconnects soon after a network loss or a storage failure", () => {
    expect(closeAction(1006)).toEqual({ kind: "retry", later: false });
    expect(closeAction(1011)).toEqual({ kind: "retry", later: false });
  });

  it("ends the session on 4401 and stops the document on every other 44xx code", () => {
    expect(closeAction(CLOSE_CODES.SESSION_ENDED)).toEqual({ kind: "end-session" });
    expect(closeAction(CLOSE_CODES.WRITE_REJECTED)).toEqual({ kind: "stop", reason: "write-rejected" });
    expect(closeAction(CLOSE_CODES.MALFORMED_FRAME)).toEqual({ kind: "stop", reason: "malformed" });
    expect(closeAction(CLOSE_CODES.FRAME_TOO_LARGE)).toEqual({ kind: "stop", reason: "too-large" });
    expect(closeAction(4408)).toEqual({ kind: "stop", reason: "refused" });
  });

  it("stops for good, without reconnecting, when the user is no longer a member (4404)", () => {
    expect(closeAction(CLOSE_CODES.NOT_A_MEMBER)).toEqual({ kind: "stop", reason: "not-a-member" });
  });
});

describe("reconnectDelay", () => {
  it("backs off exponentially, with jitter, up to the cap", () => {
    expect(reconnectDelay(false, 1, () => 1)).toBe(200);
    expect(reconnectDelay(false, 1, () => 0)).toBe(100);
    expect(reconnectDelay(false, 50, () => 1)).toBe(10_000);
  });

  it("waits longer after a try-again-later close, even on the first failure", () => {
    expect(reconnectDelay(true, 1, () => 0)).toBeGreaterThanOrEqual(1000);
    expect(reconnectDelay(true, 1, () => 1)).toBeLessThanOrEqual(10_000);
  });
});
