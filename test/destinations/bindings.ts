/**
 * The configuration of the destinations suite: several HTTP destinations with filters and their own secrets,
 * each a host of the recording downstream. Destinations whose state is global (health, pause) are used by one
 * test each.
 */
import { TEST_BINDINGS } from "../helpers/bindings.ts";

/** A signing secret per destination (Standard Webhooks: whsec_ + base64). */
export const SECRETS = {
  crm: "whsec_Y3JtLXNlY3JldC1mb3ItdGhlLXRlc3Rz",
  inbox: "whsec_aW5ib3gtc2VjcmV0LWZvci10aGUtdGVzdHM=",
  all: "whsec_YWxsLXNlY3JldC1mb3ItdGhlLXRlc3Rz",
  flaky: "whsec_Zmxha3ktc2VjcmV0LWZvci10aGUtdGVzdHM=",
  pausable: "whsec_cGF1c2FibGUtc2VjcmV0LWZvci10ZXN0cw==",
  ops: "whsec_b3BzLXNlY3JldC1mb3ItdGhlLXRlc3RzIQ==",
  aging: "whsec_YWdpbmctc2VjcmV0LWZvci10aGUtdGVzdHM=",
  slow: "whsec_c2xvdy1zZWNyZXQtZm9yLXRoZS10ZXN0cw==",
  limited: "whsec_bGltaXRlZC1zZWNyZXQtZm9yLXRlc3Rz",
} as const;

/** The rate limit of the destination `limited`. */
export const LIMITED_PER_SECOND = 5;

/** The destinations, in configuration order. */
export const DESTINATIONS = [
  {
    name: "crm",
    url: "https://crm.example.com/hooks",
    filter: { events: ["delivered", "failed"], direction: "outbound" },
  },
  { name: "inbox", url: "https://inbox.example.com/sms", filter: { direction: "inbound" } },
  { name: "all", url: "https://all.example.com/events", filter: { tags: ["test", "routing", "gone"] } },
  { name: "flaky", url: "https://flaky.example.com/events", filter: { tags: ["flaky"] } },
  { name: "pausable", url: "https://pausable.example.com/events", filter: { tags: ["pausable"] } },
  { name: "ops", url: "https://ops.example.com/alerts", filter: { events: [], operator: true } },
  {
    name: "aging",
    url: "https://aging.example.com/events",
    maxAgeHours: 1,
    filter: { tags: ["aging"] },
  },
  { name: "slow", url: "https://slow.example.com/events", filter: { tags: ["slow"] } },
  {
    name: "limited",
    url: "https://limited.example.com/events",
    filter: { tags: ["limited"] },
    maxPerSecond: LIMITED_PER_SECOND,
  },
];

/** The extra headers of the destination `all` (DESTINATION_HEADERS_ALL): sent on each of its attempts. */
export const ALL_HEADERS = {
  authorization: "Bearer gateway-token-for-the-tests",
  "x-api-key": "key-0123456789",
};

/** Bindings layered over wrangler.toml for this suite. */
export const DESTINATION_BINDINGS = {
  ...TEST_BINDINGS,
  DOWNSTREAM_URL: "",
  DOWNSTREAM_SECRET: "",
  DESTINATIONS: JSON.stringify(DESTINATIONS),
  DESTINATION_HEADERS_ALL: JSON.stringify({
    Authorization: ALL_HEADERS.authorization,
    "X-Api-Key": ALL_HEADERS["x-api-key"],
  }),
  ...Object.fromEntries(
    Object.entries(SECRETS).map(([name, secret]) => [`DESTINATION_SECRET_${name.toUpperCase()}`, secret]),
  ),
};
