/**
 * The data-jurisdiction suite (part of `npm run test:workerd`): the Worker inside workerd with
 * DATA_JURISDICTION=eu over the workerd tests' configuration, in a run of its own since a Durable Object's
 * configuration is fixed for a run. workerd implements no jurisdictions, so record-namespaces.setup.ts stands
 * in for `DurableObjectNamespace.jurisdiction()` and records every way an object is reached.
 */
import { TEST_BINDINGS } from "../helpers/bindings.ts";
import { settingsSuiteConfig } from "../helpers/settings-suite.ts";

export default await settingsSuiteConfig(
  "jurisdiction",
  {
    DATA_JURISDICTION: "eu",
    // One destination, rate limited, so that its limiter object is reached too.
    DESTINATIONS: JSON.stringify([{ name: "eu-sink", url: "http://127.0.0.1:9/events", maxPerSecond: 1000 }]),
    DESTINATION_SECRET_EU_SINK: TEST_BINDINGS.DOWNSTREAM_SECRET,
  },
  ["./test/jurisdiction/record-namespaces.setup.ts"],
);
