/**
 * Reading a query string against a route's valibot schema, for the operator API's searches: every parameter
 * known, given once, numbers read strictly, and a 400 that names the parameter but never echoes its value.
 */
import { HTTPException } from "hono/http-exception";
import * as v from "valibot";

/** A route's query: an object schema whose keys are the only parameters accepted. */
export type QuerySchema = v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>;

/** How each parameter is read and what its 400 says when it is not valid (never quoting the value). */
export interface QueryRules<TSchema extends QuerySchema> {
  schema: TSchema;
  /** Parameters that are numbers: only digits are read, anything else is refused. */
  numbers?: readonly (keyof TSchema["entries"] & string)[];
  /** The problem of each parameter, e.g. `must be an integer from 1 to 500`. */
  problems: Record<keyof TSchema["entries"] & string, string>;
}

const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/;

/** A parameter's name fit to appear in an answer: the name if it looks like one, else nothing of it. */
function shownName(name: string): string {
  return SAFE_NAME.test(name) ? name : "(a parameter name that is not shown)";
}

function badRequest(message: string): HTTPException {
  return new HTTPException(400, { message });
}

/**
 * The query as `rules.schema`'s output, or a 400: `unknown query parameter: x`, `x is given more than once`,
 * or `x <problem>`.
 */
export function readQuery<TSchema extends QuerySchema>(
  query: Record<string, string | string[]>,
  rules: QueryRules<TSchema>,
): v.InferOutput<TSchema> {
  const input: Record<string, string | number> = {};
  const numbers = new Set<string>(rules.numbers ?? []);
  for (const [name, given] of Object.entries(query)) {
    if (!Object.hasOwn(rules.schema.entries, name)) {
      throw badRequest(`unknown query parameter: ${shownName(name)}`);
    }
    if (Array.isArray(given) && given.length > 1) throw badRequest(`${name} is given more than once`);
    const value = Array.isArray(given) ? (given[0] ?? "") : given;
    input[name] = numbers.has(name) ? (/^\d{1,15}$/.test(value) ? Number(value) : Number.NaN) : value;
  }
  const result = v.safeParse(rules.schema, input);
  if (result.success) return result.output;
  const key = result.issues[0].path?.[0]?.key;
  const name = typeof key === "string" && Object.hasOwn(rules.problems, key) ? key : undefined;
  throw badRequest(
    name ? `${name} ${rules.problems[name as keyof typeof rules.problems]}` : "query is not valid",
  );
}
