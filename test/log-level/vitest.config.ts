/**
 * The log-level suite (part of `npm run test:workerd`): the Worker inside workerd with LOG_LEVEL=warn over the
 * workerd tests' configuration, in a run of its own since a Durable Object's configuration is fixed for a run.
 */
import { settingsSuiteConfig } from "../helpers/settings-suite.ts";

export default await settingsSuiteConfig("log-level", { LOG_LEVEL: "warn" });
