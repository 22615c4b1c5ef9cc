import { beforeAll, describe, expect, it } from "vitest";
import { apiConversationWith, apiMessages, apiPostMessage, apiSignIn, DEMO_NAMES, uniqueText } from "../support/api.js";
import {
  messagesWith,
  openConversation,
  type SignedIn,
  sendMessage,
  signedInContext,
  signedInUserId,
  UI_TIMEOUT_MS,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

describe("the app opened at 127.0.0.1", () => {
  // BASE_URL unset: the server's own default (http://localhost:<port>), while the browser uses 127.0.0.1.
  const h = useHarness({ BASE_URL: "" });
  let alice: SignedIn;

  beforeAll(async () => {
    expect(h.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    await openConversation(alice.page, DEMO_NAMES.dave);
  });

  it("signs in, stays connected and chats live in both directions", async () => {
    await expect
      .poll(() => alice.page.getByTestId("connection-status").first().getAttribute("data-state"), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe("online");

    const dave = await apiSignIn(h.baseURL, "dave");
    const conversation = await apiConversationWith(dave, await signedInUserId(alice.page));
    const fromDave = uniqueText("dave, over http");
    await apiPostMessage(dave, conversation.id, fromDave);
    // Reaches alice's open conversation only through her socket.
    await messagesWith(alice.page, fromDave).waitFor({ timeout: UI_TIMEOUT_MS });

    const fromAlice = uniqueText("alice, over her socket");
    await sendMessage(alice.page, fromAlice);
    await expect
      .poll(async () => (await apiMessages(dave, conversation.id, 20)).some((m) => m.text === fromAlice), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe(true);
    await expect
      .poll(() => messagesWith(alice.page, fromAlice).getAttribute("data-pending"), { timeout: UI_TIMEOUT_MS })
      .toBe("false");
  });
});
