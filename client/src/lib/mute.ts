/**
 * Muted conversations: the server's (my inbox's `reads` root, `ReadState.muted`, on every
 * device), with my own change shown at once until the inbox confirms it.
 */
import type { ReadState } from "@messenger/shared";
import { createSignal } from "solid-js";
import type { Api } from "./api.js";

export function createMute(deps: { api: Pick<Api, "setMuted">; readState: (id: string) => ReadState | undefined }) {
  /** Changes sent (or being sent) that the inbox has not shown yet. */
  const [mine, setMine] = createSignal<ReadonlyMap<string, boolean>>(new Map());
  const change = (id: string, value: boolean | null) =>
    setMine((prev) => {
      const next = new Map(prev);
      if (value === null) next.delete(id);
      else next.set(id, value);
      return next;
    });

  const muted = (id: string): boolean => {
    const server = deps.readState(id)?.muted === true;
    const wanted = mine().get(id);
    return wanted ?? server;
  };

  return {
    muted,
    /** The inbox caught up with what I asked for: follow it again (a later change elsewhere wins). */
    settle(id: string): void {
      const wanted = mine().get(id);
      if (wanted !== undefined && (deps.readState(id)?.muted === true) === wanted) change(id, null);
    },
    async set(id: string, value: boolean): Promise<void> {
      change(id, value);
      try {
        await deps.api.setMuted(id, value);
      } catch (err) {
        change(id, null);
        throw err;
      }
    },
  };
}
