/**
 * The layering of the repository, checked by `npm run check` (and so by `npm test`) with dependency-cruiser.
 * docs/ARCHITECTURE.md explains the folders; each rule's comment says why it exists.
 */

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "A cycle makes two modules one: neither can be read, tested or moved without the other.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "objects-only-from-index",
      comment:
        "The Durable Objects are reached through their bindings (env.X.getByName), never imported: only the " +
        "Worker's entry point exports them (and an object's own files import each other).",
      severity: "error",
      // Tests reach an object's SQL through runInDurableObject, to look at storage without calling the object.
      from: { path: "^src/", pathNot: ["^src/index\\.ts$", "^src/objects/"] },
      to: { path: "^src/objects/" },
    },
    {
      name: "pure-folders-stay-pure",
      comment:
        "src/message, src/forward and src/bandwidth are decisions without the Workers runtime: they import " +
        "no Durable Object, no route and no cloudflare:* module, so that unit tests call them directly.",
      severity: "error",
      from: { path: "^src/(message|forward|bandwidth)/" },
      to: { path: ["^src/objects/", "^src/http/", "^cloudflare:"] },
    },
    // The pure folders of src/ are one stack, each importing only the folders below it:
    //   bandwidth, net (no folder) < media < message < forward, index-db
    // so that a change to a lower folder never has to know a higher one (docs/ARCHITECTURE.md, "Rules").
    {
      name: "bandwidth-and-net-at-the-bottom",
      comment:
        "Bandwidth's events and API client, and the network rules (special addresses, downstream URLs), are " +
        "the ground floor: they import no other folder of src/.",
      severity: "error",
      from: { path: "^src/(bandwidth|net)/" },
      to: { path: "^src/(media|message|forward|index-db|http|objects|console|metering|openapi)/" },
    },
    {
      name: "media-below-message",
      comment: "Media copies and their settings stand on bandwidth/ and net/ only; messages record them.",
      severity: "error",
      from: { path: "^src/media/" },
      to: { path: "^src/(message|forward|index-db|http|objects|metering|openapi)/" },
    },
    {
      name: "message-below-forward-and-index",
      comment:
        "A message's records, state and acceptance are what forwarding and the index build on, never the " +
        "other way round (pendingDelivery, the trace context and the shard choice live here for that).",
      severity: "error",
      from: { path: "^src/message/" },
      to: { path: "^src/(forward|index-db|http|objects|metering|openapi)/" },
    },
    {
      name: "forward-and-index-side-by-side",
      comment: "Forwarding and the D1 index are two uses of the records: neither imports the other.",
      severity: "error",
      from: { path: "^src/(forward|index-db)/" },
      to: { path: "^src/(forward|index-db)/", pathNot: "^src/$1/" },
    },
    {
      name: "worker-imports-no-tooling",
      comment:
        "What is deployed is src/ alone: it never imports the generators (tools/), the scripts, the bench, " +
        "the Node harness or the tests.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(tools|scripts|bench|harness|test)/" },
    },
    {
      name: "json-schema-below-openapi",
      comment:
        "The OpenAPI generator builds on the JSON Schema conversion, never the other way round (the two " +
        "folders used to import each other).",
      severity: "error",
      from: { path: "^tools/json-schema/" },
      to: { path: "^tools/openapi/" },
    },
    {
      name: "tests-share-generators-not-suites",
      comment:
        "The generators, seeds and leak checks that several suites use live in test/generators/; a unit or " +
        "integration test never imports the fuzz suite itself.",
      severity: "error",
      from: { path: "^test/(unit|integration|helpers|generators)/" },
      to: { path: "^test/fuzz/" },
    },
    {
      name: "examples-stand-alone",
      comment:
        "An example is another codebase's starting point (a consumer of the receiver's events): it imports " +
        "nothing of the receiver, the tooling or the tests, and nothing but the tests imports it.",
      severity: "error",
      from: { path: "^examples/" },
      to: { path: "^(src|tools|scripts|bench|harness|test)/" },
    },
    {
      name: "only-tests-import-examples",
      comment: "The receiver and its tooling never depend on an example.",
      severity: "error",
      from: { path: "^(src|tools|scripts|bench|harness)/" },
      to: { path: "^examples/" },
    },
    {
      name: "tooling-imports-no-tests",
      comment:
        "The bench, the scripts, the generators and the Node harness stand on their own: what they share with " +
        "the tests lives in harness/ (or src/), never in test/.",
      severity: "error",
      from: { path: "^(bench|scripts|tools|harness)/" },
      to: { path: "^test/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // `import type` counts: a type-only import still couples two modules.
    tsPreCompilationDeps: true,
  },
};
