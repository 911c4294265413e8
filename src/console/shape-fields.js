// @ts-check
/**
 * How the console reads the operator API's answers: field getters that check each field it shows and name
 * the one that is not as expected (a ShapeError), shared by the readers of shape-*.js, one per endpoint.
 */

/** An answer whose shape the console does not know. */
export class ShapeError extends Error {
  /** @param {string} endpoint @param {string} field */
  constructor(endpoint, field) {
    super(`${endpoint} answered with an unexpected shape (${field})`);
    this.name = "ShapeError";
  }
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
export function isRecord(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A field reader for one endpoint's answer: each getter throws a ShapeError naming the field.
 * @param {string} endpoint
 */
export function fields(endpoint) {
  /** @param {unknown} value @param {string} name @returns {Record<string, unknown>} */
  const record = (value, name) => {
    if (!isRecord(value)) throw new ShapeError(endpoint, name);
    return value;
  };
  /** @param {unknown} value @param {string} name @returns {unknown[]} */
  const list = (value, name) => {
    if (!Array.isArray(value)) throw new ShapeError(endpoint, name);
    return value;
  };
  /** @param {unknown} value @param {string} name @returns {string} */
  const string = (value, name) => {
    if (typeof value !== "string") throw new ShapeError(endpoint, name);
    return value;
  };
  /** @param {unknown} value @param {string} name @returns {number} */
  const number = (value, name) => {
    if (typeof value !== "number") throw new ShapeError(endpoint, name);
    return value;
  };
  /** @param {unknown} value @returns {string | undefined} */
  const optionalString = (value) => (typeof value === "string" ? value : undefined);
  /** @param {unknown} value @returns {number | undefined} */
  const optionalNumber = (value) => (typeof value === "number" ? value : undefined);
  return { record, list, string, number, optionalString, optionalNumber };
}

/** @param {unknown} value @param {string} endpoint */
export function readIssues(value, endpoint) {
  const f = fields(endpoint);
  return f.list(value, "issues").map((issue) => {
    const i = f.record(issue, "issues[]");
    return { path: f.string(i.path, "issues[].path"), message: f.string(i.message, "issues[].message") };
  });
}
