/**
 * A downstream for the workerd tests, run by Miniflare as the outbound service (in Node): every forward is
 * recorded per message (the CloudEvent `subject`, or the destination name of an operator event) with the URL
 * it went to, and answered as the test scripted: a list of statuses per message (optionally per host; a 3xx
 * points at REDIRECT_TARGET), a host
 * that answers 503 until a time, or one that answers slowly until a time. Tests read the recordings and script answers through the same outbound
 * path, at http://recorder.test/.
 */

/** One forward as the downstream received it. */
export interface RecordedForward {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** When the downstream received it (epoch ms). */
  receivedAt: number;
}

/** Where a scripted 3xx answer points: a host that must never receive anything (redirects are not followed). */
export const REDIRECT_TARGET = "https://redirect-target.test/elsewhere";

const forwards = new Map<string, RecordedForward[]>();
const scripts = new Map<string, number[]>();
/** Hosts that answer 503 until the time given (epoch ms). */
const down = new Map<string, number>();
/** Hosts that answer only after a delay, until a time: [delay ms, until epoch ms]. */
const slow = new Map<string, [number, number]>();

async function control(request: Request, url: URL): Promise<Response> {
  const subject = url.searchParams.get("subject") ?? "";
  const host = url.searchParams.get("host");
  if (request.method === "POST" && url.pathname === "/script") {
    scripts.set(host ? `${host} ${subject}` : subject, (await request.json()) as number[]);
    return new Response(null, { status: 204 });
  }
  if (request.method === "POST" && url.pathname === "/slow" && host) {
    slow.set(host, [Number(url.searchParams.get("ms") ?? "0"), Number(url.searchParams.get("until") ?? "0")]);
    return new Response(null, { status: 204 });
  }
  if (request.method === "POST" && url.pathname === "/down" && host) {
    down.set(host, Number(url.searchParams.get("until") ?? "0"));
    return new Response(null, { status: 204 });
  }
  return Response.json(forwards.get(subject) ?? []);
}

/** Miniflare's outboundService: answers every fetch the Worker makes. */
export async function recordingDownstream(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.hostname === "recorder.test") return control(request, url);
  const body = await request.text();
  let subject = "";
  try {
    subject = String((JSON.parse(body) as { subject?: unknown }).subject ?? "");
  } catch {
    // not a CloudEvent: recorded under ""
  }
  const list = forwards.get(subject) ?? [];
  list.push({ url: request.url, headers: Object.fromEntries(request.headers), body, receivedAt: Date.now() });
  forwards.set(subject, list);
  const [delay, slowUntil] = slow.get(url.host) ?? [0, 0];
  if (Date.now() < slowUntil) await new Promise((resolve) => setTimeout(resolve, delay));
  if (Date.now() < (down.get(url.host) ?? 0)) return new Response(null, { status: 503 });
  const status = scripts.get(`${url.host} ${subject}`)?.shift() ?? scripts.get(subject)?.shift() ?? 200;
  if (status >= 300 && status < 400)
    return new Response(null, { status, headers: { location: REDIRECT_TARGET } });
  return new Response(null, { status });
}
