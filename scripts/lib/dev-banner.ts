/**
 * The start banner of `npm run dev`: where Bandwidth's callbacks go, with which development credentials,
 * and where the events are forwarded. Pure. It shows only development values from the settings file, never
 * DOWNSTREAM_SECRET.
 */
import type { Health } from "./health.ts";

/** What the banner shows. */
export interface BannerFacts {
  baseUrl: string;
  username: string;
  password: string;
  adminToken: string;
  downstreamUrl: string;
  /** Whether the built-in downstream receives the events (else they go to `downstreamUrl` only). */
  builtInDownstream: boolean;
  health: Health;
}

/** The banner's lines. */
export function bannerLines(facts: BannerFacts): string[] {
  const or = (value: string) => value || "(not set)";
  const lines = [
    "",
    `bandwidth-edge-receiver ${facts.health.version} is running`,
    "",
    `  Callback URL   ${facts.baseUrl}/callbacks/messaging`,
    `  Username       ${or(facts.username)}`,
    `  Password       ${or(facts.password)}`,
    `  Admin token    ${or(facts.adminToken)}   (GET ${facts.baseUrl}/messages/<id>, /dead-letters)`,
    `  Downstream     ${facts.downstreamUrl}${facts.builtInDownstream ? "   (built in: each event is printed below)" : ""}`,
    "",
  ];
  if (!facts.health.configured) {
    lines.push("  /healthz reports configuration problems; callbacks are answered 503 until they are fixed:");
    for (const problem of facts.health.problems) lines.push(`    - ${problem}`);
    lines.push("");
  }
  lines.push("  In another terminal: npm run send", "  Ctrl-C stops everything.", "");
  return lines;
}
