/**
 * Reading requests: JSON bodies and query strings through the shared zod schemas.
 * Invalid input throws (a ZodError or AppError); app.onError turns it into a 400.
 */
import { ID_PATTERN } from "@messenger/shared";
import type { Context } from "hono";
import type { z } from "zod";
import { AppError } from "../errors.js";

/** Parses a JSON request body with `schema`; the body must be sent as application/json. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new AppError("VALIDATION_FAILED", "Send the body as JSON with Content-Type: application/json.", [
      { field: "(body)", problem: "Content-Type must be application/json" },
    ]);
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError("VALIDATION_FAILED", "The body is not valid JSON.", [
      { field: "(body)", problem: "invalid JSON" },
    ]);
  }
  return schema.parse(body);
}

/** Parses the query string with `schema`; repeated parameters keep their first value. */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return schema.parse(c.req.query());
}

/** A path id (user or conversation); an id that cannot exist is simply not found. */
export function pathId(c: Context, name: string): string {
  const id = c.req.param(name) ?? "";
  if (!ID_PATTERN.test(id)) throw new AppError("NOT_FOUND");
  return id;
}
