/**
 * The seeded generator of the workerd tests (the fuzzer's key orders): the one of harness/random.ts, which the
 * benchmark and the fault runs use too.
 */
export { integerBetween, seededRandom } from "../../harness/random.ts";
