/**
 * Bandwidth's messaging error codes (the `errorCode` of a `message-failed` event): what each documented code
 * means, in our words, and its class. Source: Bandwidth's "Errors" page,
 * https://dev.bandwidth.com/docs/messaging/errors (messaging error codes, as published in Bandwidth/api-docs).
 *
 * The first digit says client (4) or service (5); a 7 in second place marks a code the carrier reported for a
 * client error. 9902 only says that no delivery receipt came within about two hours: the message may well have
 * been delivered. Bandwidth adds codes over time, so an unlisted code is classified by its range.
 */

/**
 * Where a failure comes from: `client` (4xxx: the request or its numbers, found by Bandwidth), `carrier-rejected`
 * (47xx: the carrier refused it), `service` (5xxx: Bandwidth or the carrier failed, a retry may work),
 * `no-receipt` (9902: no delivery receipt in time, not a proof of non-delivery), `unknown` (9999 and anything
 * outside these ranges). In the order an operator reads them.
 */
export const ERROR_CODE_CLASSES = ["client", "carrier-rejected", "service", "no-receipt", "unknown"] as const;

/** One of {@link ERROR_CODE_CLASSES}. */
export type ErrorCodeClass = (typeof ERROR_CODE_CLASSES)[number];

/** A code as an operator sees it: its class, and a short meaning (generic for an undocumented code). */
export interface ErrorCodeDescription {
  code: number;
  class: ErrorCodeClass;
  meaning: string;
  /** Whether Bandwidth documents this code (else the meaning is the generic one of its range). */
  documented: boolean;
}

/** The documented codes and what each means. */
export const ERROR_CODE_MEANINGS: Readonly<Record<number, string>> = {
  4001: "Bandwidth refused the message for a reason no more specific code covers (service not allowed)",
  4301: "the text holds characters Bandwidth cannot encode for the destination",
  4302: "the from number is not a routable, valid number",
  4303: "the to number is not a routable, valid number",
  4350: "accepted at first but refused when sent, most likely an invalid to number",
  4360: "not sent: the message's expiration time passed first",
  4401: "Bandwidth cannot route it, e.g. the from and to numbers are the same",
  4403: "messaging is forbidden on the from number (not yours, not enabled, disconnected or invalid)",
  4404: "messaging is forbidden to the to number (inactive, not enabled or invalid)",
  4405: "the from number is unallocated: not an active messaging number in the industry",
  4406: "the to number is a valid North American number not yet assigned to a carrier",
  4407: "the from number is not associated with this account or not configured to send",
  4408: "the to number is not associated with an account or not configured to receive",
  4409: "the destination profile is invalid, usually a number that cannot receive MMS",
  4410: "Bandwidth could not download the media from its URL",
  4411: "the attached media are larger together than allowed",
  4412: "the media's content type is not supported",
  4420: "no route: the carrier is not in Bandwidth's configuration",
  4421: "no route: the account may not send to this destination",
  4431: "the account is not enabled for short code messaging",
  4432: "the account is not enabled for this country or zone",
  4433: "the account is not enabled for toll-free messaging",
  4434: "the toll-free recipient cannot receive messages (not enabled or inactive)",
  4435: "too many recipients in the group message (at most 10 participants)",
  4451: "the user id is not valid",
  4452: "the application id is not valid or not on this account",
  4470: "blocked as spam by Bandwidth (volume, content or SHAFT rules)",
  4481: "the from number is on Bandwidth's block list after violations",
  4482: "the to number is blocked from receiving messages",
  4492: "messages to emergency numbers are not allowed",
  4493: "the sender is not authorized to send from this account",
  4700: "the carrier refused the service type: the handset or carrier does not support SMS or MMS",
  4701: "the carrier reports the destination unreachable or SMS unavailable",
  4702: "the subscriber is unavailable (handset off, unreachable, barred, storage full)",
  4711: "the carrier could not fetch the media: the attachment is too large",
  4712: "the carrier refused the media's content type",
  4720: "the carrier refused the to number as invalid or not messaging-enabled (e.g. a landline)",
  4721: "the to number is on the deactivation list: inactive or without a carrier",
  4730: "the carrier has no route to the destination, roaming included",
  4740: "the carrier refused the from number as an invalid source",
  4750: "the carrier refused the message without giving a reason",
  4751: "the carrier refused the message's length",
  4752: "the carrier found the message malformed (empty, too long, bad encoding or parameters)",
  4770: "the carrier blocked the message as spam",
  4771: "refused because of a shortened URL; use a domain of your own",
  4772: "the sender or the receiver is blocked on the carrier's platform",
  4773: "the number's 10DLC campaign is not active for this destination",
  4774: "the number's provisioning in the industry database is wrong or incomplete",
  4775: "the recipient opted out of messages from this sender",
  4780: "T-Mobile refused it: over the brand's daily 10DLC volume",
  4781: "AT&T refused it: over the campaign's 10DLC rate, or throttled",
  4785: "the carrier refused it for volume: send less, retry later",
  4790: "the carrier does not allow this short code to reach the destination",
  4791: "the carrier does not allow this short code campaign",
  4792: "the short code is not provisioned on the carrier's network",
  4793: "the short code has expired with the carrier",
  4795: "the toll-free number is not verified",
  5100: "a temporary error inside Bandwidth's service",
  5101: "a Bandwidth application was shutting down; send again later",
  5106: "could not be routed, retries included",
  5111: "a Bandwidth connection was already closed",
  5201: "Bandwidth expired the message after its delivery retries failed",
  5211: "a Bandwidth application was busy",
  5220: "Bandwidth could not store the message",
  5231: "Bandwidth did not receive every part of a concatenated message",
  5500: "the destination carrier reported a general sending failure",
  5501: "no destination was available to send to",
  5600: "the carrier's service was unavailable (congestion, full queue, throttling)",
  5610: "the carrier failed to accept the submission",
  5620: "the carrier's application reported an error",
  5630: "the carrier never acknowledged the message",
  5650: "the carrier failed to deliver to the operator or the handset",
  5999: "Bandwidth reported an unknown error of its own",
  9902: "no delivery receipt within about 2 hours; the message may still have been delivered",
  9999: "the carrier reported a failure Bandwidth does not recognize",
};

const RANGE_MEANINGS: Record<ErrorCodeClass, string> = {
  client: "a client error Bandwidth does not document yet: sending it again gives the same result",
  "carrier-rejected": "the carrier refused the message (a code Bandwidth does not document yet)",
  service: "a service failure Bandwidth does not document yet: a retry may succeed",
  "no-receipt": "no delivery receipt in time; the message may still have been delivered",
  unknown: "a code outside Bandwidth's documented ranges",
};

/** The class of any code, documented or not, by its range. */
export function errorCodeClass(code: number): ErrorCodeClass {
  if (code === 9902) return "no-receipt";
  if (code >= 4700 && code <= 4799) return "carrier-rejected";
  if (code >= 4000 && code <= 4999) return "client";
  if (code >= 5000 && code <= 5999) return "service";
  return "unknown";
}

/** A code's class and meaning: the documented meaning, else the generic meaning of its range. */
export function describeErrorCode(code: number): ErrorCodeDescription {
  const codeClass = errorCodeClass(code);
  const meaning = Object.hasOwn(ERROR_CODE_MEANINGS, code) ? ERROR_CODE_MEANINGS[code] : undefined;
  return meaning === undefined
    ? { code, class: codeClass, meaning: RANGE_MEANINGS[codeClass], documented: false }
    : { code, class: codeClass, meaning, documented: true };
}
