/**
 * A destination's name, as configured and as the operator API takes it: lower-case letters, digits and
 * hyphens, 1 to 32 characters.
 */
import * as v from "valibot";

/** The valibot schema of a destination name. */
export const DestinationNameSchema = v.pipe(
  v.string("must be a string"),
  v.regex(/^[a-z0-9-]{1,32}$/, "must be 1 to 32 lower-case letters, digits or hyphens"),
);
