/**
 * Small JSON bodies of the operator API, validated with valibot; an empty body means the default.
 */
import { HTTPException } from "hono/http-exception";
import * as v from "valibot";

const MAX_ADMIN_BODY_BYTES = 16 * 1024;

/** Parses an optional JSON body against `schema`; 400 with the issues (path and message) when it does not fit. */
export async function readOptionalJson<S extends v.GenericSchema>(
  request: Request,
  schema: S,
  fallback: v.InferOutput<S>,
): Promise<v.InferOutput<S>> {
  const text = await readAtMost(request, MAX_ADMIN_BODY_BYTES);
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

/**
 * The body as text, read only up to `limit` bytes (a declared or actual length beyond it is a 413), so that an
 * oversized body is neither buffered whole nor measured in characters instead of bytes.
 */
async function readAtMost(request: Request, limit: number): Promise<string> {
  const tooLarge = () => new HTTPException(413, { message: `body must be at most ${limit} bytes` });
  if (Number(request.headers.get("content-length") ?? 0) > limit) throw tooLarge();
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(chunk.value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(body);
}
