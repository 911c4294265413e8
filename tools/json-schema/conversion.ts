/**
 * How the valibot schemas become JSON Schema: the options shared by the published schema files and the
 * OpenAPI document, so that both describe a field the same way.
 */
import type { ConversionConfig } from "@valibot/to-json-schema";
import { isRfc3339 } from "../../src/bandwidth/time.ts";

/** Conversion options; checks that JSON Schema cannot express are left out, except the ones mapped here. */
export const CONVERSION_CONFIG: ConversionConfig = {
  errorMode: "ignore",
  // Bandwidth's times are checked by a function; JSON Schema names the same rule `format: date-time`.
  overrideAction: ({ valibotAction, jsonSchema }) =>
    valibotAction.type === "check" &&
    "requirement" in valibotAction &&
    valibotAction.requirement === isRfc3339
      ? { ...jsonSchema, format: "date-time" }
      : undefined,
};
