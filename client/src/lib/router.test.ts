import { describe, expect, it } from "vitest";
import { conversationPath, parseRoute, routePath } from "./router.js";

describe("parseRoute", () => {
  it("reads the list screens and a conversation", () => {
    expect(parseRoute("/")).toEqual({ name: "active" });
    expect(parseRoute("/all")).toEqual({ name: "all" });
    expect(parseRoute("/people/")).toEqual({ name: "people" });
    expect(parseRoute("/settings")).toEqual({ name: "settings" });
    expect(parseRoute("/c/abc_123")).toEqual({ name: "conversation", id: "abc_123" });
  });

  it("sends unknown paths and malformed ids to the active list", () => {
    expect(parseRoute("/nope")).toEqual({ name: "active" });
    expect(parseRoute("/c/../../etc")).toEqual({ name: "active" });
  });

  it("round-trips every route through its path", () => {
    for (const path of ["/", "/all", "/people", "/settings", "/c/x1"]) expect(routePath(parseRoute(path))).toBe(path);
  });

  it("reads a conversation opened at a message, and ignores a malformed message id", () => {
    expect(parseRoute("/c/abc", "?m=seed-00499")).toEqual({ name: "conversation", id: "abc", messageId: "seed-00499" });
    expect(parseRoute("/c/abc", "?m=x")).toEqual({ name: "conversation", id: "abc" });
    expect(parseRoute("/all", "?m=seed-00499")).toEqual({ name: "all" });
  });

  it("builds the path of a conversation at a message, which reads back the same", () => {
    expect(conversationPath("abc", "seed-00499")).toBe("/c/abc?m=seed-00499");
    const [path, search] = conversationPath("abc", "seed-00499").split("?");
    expect(routePath(parseRoute(path as string, `?${search}`))).toBe("/c/abc?m=seed-00499");
  });
});
