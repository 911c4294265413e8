/**
 * The query parameters of an operation, generated from the route's own valibot query schema, so that the
 * document and the validation cannot drift apart.
 */
import { type JsonSchema, toJsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { CONVERSION_CONFIG } from "../json-schema/conversion.ts";

/** An OpenAPI query parameter. */
export interface QueryParameter {
  name: string;
  in: "query";
  required: false;
  schema: JsonSchema;
}

/** One OpenAPI parameter object per entry of `schema`, all optional, in the schema's order. */
export function queryParameters(
  schema: v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>,
): QueryParameter[] {
  return Object.entries(schema.entries).map(([name, entry]) => {
    const { $schema: _dialect, ...json } = toJsonSchema(entry, {
      ...CONVERSION_CONFIG,
      target: "draft-2020-12",
    });
    return { name, in: "query", required: false, schema: json };
  });
}
