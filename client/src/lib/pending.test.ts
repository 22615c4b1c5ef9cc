import { describe, expect, it } from "vitest";
import { createPendingTracker } from "./pending.js";

describe("pending tracker", () => {
  it("keeps a message written offline pending until the flush after the next handshake is answered", () => {
    const t = createPendingTracker();
    expect(t.written("m1")).toBe(false);
    t.opened();
    expect(t.answered()).toEqual([]); // answer to the handshake step 1: not enough
    expect(t.has("m1")).toBe(true);
    expect(t.repliedToServer()).toBe(true);
    t.flushed();
    expect(t.answered()).toEqual(["m1"]);
    expect(t.has("m1")).toBe(false);
  });

  it("delivers a message written on a live connection when the next answer arrives", () => {
    const t = createPendingTracker();
    t.opened();
    t.repliedToServer();
    t.answered(); // handshake
    expect(t.written("m1")).toBe(true);
    t.flushed();
    expect(t.answered()).toEqual(["m1"]);
  });

  it("does not confirm a message with the answer to an earlier request", () => {
    const t = createPendingTracker();
    t.opened();
    t.repliedToServer();
    t.written("m1");
    t.flushed();
    t.written("m2");
    t.flushed();
    expect(t.answered()).toEqual([]); // handshake answer
    expect(t.answered()).toEqual(["m1"]);
    expect(t.answered()).toEqual(["m2"]);
  });

  it("waits for the reply to the server's step 1 when written during the handshake", () => {
    const t = createPendingTracker();
    t.opened();
    expect(t.written("m1")).toBe(false);
    expect(t.repliedToServer()).toBe(true);
    t.flushed();
    t.answered();
    expect(t.answered()).toEqual(["m1"]);
  });

  it("puts unconfirmed messages back to waiting when the socket closes", () => {
    const t = createPendingTracker();
    t.opened();
    t.repliedToServer();
    t.written("m1");
    t.flushed();
    t.closed();
    expect(t.answered()).toEqual([]);
    t.opened();
    t.answered();
    expect(t.has("m1")).toBe(true);
    t.repliedToServer();
    t.flushed();
    expect(t.answered()).toEqual(["m1"]);
  });

  it("restores pending ids remembered from an earlier page load", () => {
    const t = createPendingTracker(["m1", "m2"]);
    expect(t.ids()).toEqual(["m1", "m2"]);
    t.opened();
    t.repliedToServer();
    t.flushed();
    t.answered();
    expect(t.answered().sort()).toEqual(["m1", "m2"]);
  });

  it("has a request outstanding from the handshake until its answer, and again after each flush", () => {
    const t = createPendingTracker();
    expect(t.outstanding()).toBe(false);
    t.opened();
    expect(t.outstanding()).toBe(true);
    t.written("m1");
    t.repliedToServer();
    t.answered();
    expect(t.outstanding()).toBe(false);
    t.flushed();
    expect(t.outstanding()).toBe(true);
    expect(t.answered()).toEqual(["m1"]);
    expect(t.outstanding()).toBe(false);
    t.closed();
    expect(t.outstanding()).toBe(false);
  });

  it("confirms a write made while a request is outstanding with the answer to the flush sent after it", () => {
    const t = createPendingTracker();
    t.opened();
    t.repliedToServer();
    expect(t.written("m1")).toBe(true); // the handshake step 1 is still unanswered: the flush waits
    expect(t.answered()).toEqual([]);
    t.flushed();
    expect(t.answered()).toEqual(["m1"]);
  });

  it("asks for no flush when nothing waits", () => {
    const t = createPendingTracker();
    t.opened();
    expect(t.repliedToServer()).toBe(false);
  });
});
