/**
 * Small JSON bodies of the operator API, validated with valibot; an empty body means the default.
 */
import { HTTPException } from "hono/http-exception";
import * as v from "valibot";
import { limitBody } from "./middleware/body-limit.ts";

/** The operator API's body limit (its bodies are a few bytes of JSON): mount before {@link readOptionalJson}. */
export const limitAdminBody = limitBody(16 * 1024);

/** Parses an optional JSON body against `schema`; 400 with the issues (path and message) when it does not fit. */
export async function readOptionalJson<S extends v.GenericSchema>(
  request: Request,
  schema: S,
  fallback: v.InferOutput<S>,
): Promise<v.InferOutput<S>> {
  const text = await request.text();
  if (text.trim() === "") return fallback;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HTTPException(400, { message: "body is not valid JSON" });
  }
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const detail = result.issues
      .map(
        (issue) =>
          `${v.getDotPath(issue) ?? "body"}: ${issue.expected ? `expected ${issue.expected}` : "invalid"}`,
      )
      .join("; ");
    throw new HTTPException(400, { message: `invalid body (${detail})` });
  }
  return result.output;
}
