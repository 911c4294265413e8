/**
 * Polling for the workerd tests: the one {@link waitFor} of the repository (harness/wait.ts), which runs in
 * workerd as well as in Node.
 */
export { sleep, waitFor } from "../../harness/wait.ts";
