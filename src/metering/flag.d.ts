/**
 * The build-time switch of the bench's metering: `false` in wrangler.toml's `[define]`, so that every build
 * drops src/metering/; `true` only when the bench starts `wrangler dev --define __BENCH_METERING__:true`. Read
 * with `typeof` first: a build without the define (the test runner's) leaves it undeclared.
 */
declare const __BENCH_METERING__: boolean | undefined;
