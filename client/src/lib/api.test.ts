import { ERROR_MESSAGES } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { ApiError, createApi, errorCodeOf, errorSentence, NETWORK_ERROR } from "./api.js";

function fakeFetch(status: number, body: unknown, calls: Array<[string, RequestInit | undefined]> = []): typeof fetch {
  return async (input, init) => {
    calls.push([String(input), init]);
    return new Response(body === undefined ? null : JSON.stringify(body), { status });
  };
}

describe("errorSentence", () => {
  it("maps REST error codes to the shared sentences", () => {
    expect(errorSentence(new ApiError(404, "NOT_FOUND"))).toBe(ERROR_MESSAGES.NOT_FOUND);
  });
  it("phrases better-auth codes itself", () => {
    expect(errorSentence(new ApiError(401, "INVALID_EMAIL_OR_PASSWORD"))).toBe(
      "That username or email and password do not match.",
    );
    expect(errorSentence(new ApiError(400, "PASSWORD_TOO_SHORT"))).toBe("Use a password of at least 10 characters.");
    expect(errorSentence(new ApiError(422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"))).toBe(
      "An account with that email already exists.",
    );
  });
  it("says rate limited for any 429", () => {
    expect(errorSentence(new ApiError(429, "SOMETHING"))).toBe(ERROR_MESSAGES.RATE_LIMITED);
  });
  it("never shows an unknown code or a non-API error verbatim", () => {
    expect(errorSentence(new ApiError(400, "WEIRD_INTERNAL_THING"))).toBe(ERROR_MESSAGES.VALIDATION_FAILED);
    expect(errorSentence(new Error("stack trace"))).toBe(ERROR_MESSAGES.INTERNAL);
  });
});

describe("errorCodeOf", () => {
  it("reads REST and better-auth error bodies", () => {
    expect(errorCodeOf({ error: { code: "FORBIDDEN", message: "x" } }, 403)).toBe("FORBIDDEN");
    expect(errorCodeOf({ code: "INVALID_EMAIL", message: "x" }, 400)).toBe("INVALID_EMAIL");
    expect(errorCodeOf("<html>", 502)).toBe("INTERNAL");
  });
});

describe("createApi", () => {
  it("signs in by username when the identifier has no @", async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    const api = createApi({ onSessionEnded: () => {}, fetch: fakeFetch(200, {}, calls) });
    await api.signIn("alice", "secret-password");
    await api.signIn("alice@example.com", "secret-password");
    expect(calls.map((c) => c[0])).toEqual(["/api/auth/sign-in/username", "/api/auth/sign-in/email"]);
    expect(JSON.parse(String(calls[0]?.[1]?.body))).toEqual({ username: "alice", password: "secret-password" });
    expect(calls[0]?.[1]?.credentials).toBe("include");
  });

  it("reports the session as ended on a REST 401 but not on a failed sign-in", async () => {
    let ended = 0;
    const api = createApi({
      onSessionEnded: () => ended++,
      fetch: fakeFetch(401, { error: { code: "SESSION_ENDED", message: "" } }),
    });
    await expect(api.conversations()).rejects.toMatchObject({ status: 401, code: "SESSION_ENDED" });
    expect(ended).toBe(1);
    await expect(api.signIn("a", "b")).rejects.toBeInstanceOf(ApiError);
    expect(ended).toBe(1);
  });

  it("turns a failed fetch into a network error", async () => {
    const api = createApi({
      onSessionEnded: () => {},
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    await expect(api.users()).rejects.toMatchObject({ code: NETWORK_ERROR });
  });

  it("leaves empty query parameters out of the URL", async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    const api = createApi({ onSessionEnded: () => {}, fetch: fakeFetch(200, { users: [], nextCursor: null }, calls) });
    await api.users({ q: "", limit: 50 });
    expect(calls[0]?.[0]).toBe("/api/users?limit=50");
  });
});
