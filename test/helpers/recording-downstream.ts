/**
 * A downstream for the workerd tests, run by Miniflare as the outbound service (in Node): every forward is
 * recorded per message (the CloudEvent `subject`) and answered as the test scripted. Tests read the
 * recordings and script answers through the same outbound path, at http://recorder.test/.
 */

/** One forward as the downstream received it. */
export interface RecordedForward {
  headers: Record<string, string>;
  body: string;
}

const forwards = new Map<string, RecordedForward[]>();
const scripts = new Map<string, number[]>();

async function control(request: Request, url: URL): Promise<Response> {
  const subject = url.searchParams.get("subject") ?? "";
  if (request.method === "POST" && url.pathname === "/script") {
    scripts.set(subject, (await request.json()) as number[]);
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
  list.push({ headers: Object.fromEntries(request.headers), body });
  forwards.set(subject, list);
  const status = scripts.get(subject)?.shift() ?? 200;
  return new Response(null, { status });
}
