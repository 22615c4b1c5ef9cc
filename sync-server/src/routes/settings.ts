/**
 * The signed-in user's settings.
 *
 *   GET   /api/settings     { readReceipts }
 *   PATCH /api/settings     { readReceipts }: off, the others no longer see when I read (and the
 *                           app stops showing me when they read, as WhatsApp does)
 */
import { type Settings, SettingsBody } from "@messenger/shared";
import { Hono } from "hono";
import type { SessionVariables } from "../auth/require-session.js";
import type { Logger } from "../logger.js";
import type { ConversationStore, SettingsStore } from "../store/types.js";
import type { PublishConversation } from "./conversations.js";
import { readJson } from "./request.js";

export interface SettingsRoutesDeps {
  settings: SettingsStore;
  repo: Pick<ConversationStore, "listForUser">;
  publishConversation?: PublishConversation;
  /** Writes the setting into the user's inbox on every device (the relay, every process). */
  settingsChanged?: (userId: string, readReceipts: boolean) => void;
  logger: Logger;
}

export function settingsRoutes(deps: SettingsRoutesDeps) {
  const routes = new Hono<{ Variables: SessionVariables }>();

  routes.get("/", async (c) => {
    const settings: Settings = { readReceipts: await deps.settings.readReceipts(c.get("user").id) };
    return c.json({ settings });
  });

  routes.patch("/", async (c) => {
    const me = c.get("user").id;
    const { readReceipts } = await readJson(c, SettingsBody);
    const before = await deps.settings.readReceipts(me);
    await deps.settings.setReadReceipts(me, readReceipts);
    deps.settingsChanged?.(me, readReceipts);
    if (before !== readReceipts && deps.publishConversation) {
      // My read mark appears in, or disappears from, every conversation I am in.
      for (const summary of await deps.repo.listForUser(me)) {
        try {
          await deps.publishConversation(summary);
        } catch (err) {
          deps.logger.error("publishConversation failed", { conversationId: summary.id, err: String(err) });
        }
      }
    }
    const settings: Settings = { readReceipts };
    return c.json({ settings });
  });

  return routes;
}
