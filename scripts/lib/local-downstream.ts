/**
 * The built-in downstream of `npm run dev`: a node:http server on 127.0.0.1 that verifies each event's
 * Standard Webhooks signature with the `standardwebhooks` package, answers 200 (401 when no secret verifies)
 * and reports one readable line per event.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import { Webhook } from "standardwebhooks";
import { eventLine, type SignatureCheck } from "./event-line.ts";

/** How to run the built-in downstream. */
export interface LocalDownstreamOptions {
  port: number;
  /** DOWNSTREAM_SECRET's value: one or more space-separated `whsec_…` secrets; any one may verify. */
  secrets: string;
  /** Called with the line for each request. */
  report(line: string): void;
}

/** A listening built-in downstream. */
export interface LocalDownstream {
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const REMEMBERED_IDS = 10_000;

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(", ") : value) ?? "";
}

/** Whether any of the space-separated `secrets` verifies `body` with the request's webhook headers. */
export function verifiesWithAny(secrets: string, body: string, headers: IncomingHttpHeaders): boolean {
  const webhookHeaders = {
    "webhook-id": headerValue(headers, "webhook-id"),
    "webhook-timestamp": headerValue(headers, "webhook-timestamp"),
    "webhook-signature": headerValue(headers, "webhook-signature"),
  };
  return secrets
    .split(/\s+/)
    .filter(Boolean)
    .some((secret) => {
      try {
        new Webhook(secret).verify(body, webhookHeaders);
        return true;
      } catch {
        return false;
      }
    });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Listens on 127.0.0.1:`port`; rejects when the port is taken. */
export async function startLocalDownstream(options: LocalDownstreamOptions): Promise<LocalDownstream> {
  const deliveries = new Map<string, number>();
  const server = createServer((req, res) => {
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end();
        return;
      }
      const body = Buffer.concat(chunks).toString("utf8");
      const check: SignatureCheck = verifiesWithAny(options.secrets, body, req.headers) ? "ok" : "invalid";
      const id = headerValue(req.headers, "webhook-id");
      const attempt = (deliveries.get(id) ?? 0) + 1;
      deliveries.set(id, attempt);
      // Forget the oldest ids so a long session does not grow without bound.
      if (deliveries.size > REMEMBERED_IDS) deliveries.delete(deliveries.keys().next().value ?? "");
      options.report(eventLine(parseJson(body), check, new Date(), attempt));
      res
        .writeHead(check === "ok" ? 200 : 401, { "content-type": "text/plain" })
        .end(check === "ok" ? "ok" : "bad signature");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: options.port, exclusive: true }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
