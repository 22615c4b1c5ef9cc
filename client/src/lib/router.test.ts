import { describe, expect, it } from "vitest";
import { parseRoute, routePath } from "./router.js";

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
});
