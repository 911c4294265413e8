/**
 * A real downstream for the end-to-end and fault tests and the bench: a node:http server on 127.0.0.1 that
 * records every request, verifies its Standard Webhooks signature, and answers as each test programs it, per
 * message (CloudEvent `subject`), so that tests sharing one receiver do not interfere.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { type SignatureVerdict, verifyWebhookSignature } from "./signature.ts";

/** The CloudEvent attributes the tests look at, present when the body was a JSON object with them. */
export interface ReceivedEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  sequence: string;
  data: Record<string, unknown>;
}

/** One request as the downstream saw it. */
export interface DownstreamRequest {
  /** 0-based arrival order across the server. */
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body bytes, exactly as received (the signature covers them). */
  body: Buffer;
  /** `Date.now()` when the body had fully arrived. */
  receivedAt: number;
  /** The result of verifying `webhook-signature`. */
  signature: SignatureVerdict;
  /** The parsed CloudEvent, or undefined when the body was not one. */
  event: ReceivedEvent | undefined;
  /** 1-based: how many requests carried this `webhook-id` so far, this one included. */
  attempt: number;
  /** The status answered, once answered; undefined while pending, for hung requests and for dropped ones. */
  answered?: number;
}

/** How to answer one request: a status (after an optional delay), or never. */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | { hang: true };

/**
 * Decides the reply to `request`; `count` is how many requests for the same subject (message id) arrived
 * so far, this one included (1-based).
 */
export type Behaviour = (request: DownstreamRequest, count: number) => Reply;

/** Answers 200 to everything. */
export const ALWAYS_OK: Behaviour = () => ({ status: 200 });

/** The largest body the downstream reads; the receiver's events are a few KiB. */
const MAX_BODY_BYTES = 1024 * 1024;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses `body` as a CloudEvent with string attributes and an object `data`, or undefined. */
export function parseCloudEvent(body: Buffer): ReceivedEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !isRecord(value.data)) return undefined;
  const keys = ["specversion", "id", "source", "type", "subject", "time", "sequence"] as const;
  const strings: Partial<Record<(typeof keys)[number], string>> = {};
  for (const key of keys) {
    const attribute = value[key];
    if (typeof attribute !== "string") return undefined;
    strings[key] = attribute;
  }
  return { ...(strings as Record<(typeof keys)[number], string>), data: value.data };
}

/** A running downstream; see {@link startDownstream}. */
export class Downstream {
  private readonly server = createServer((req, res) => this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly log: DownstreamRequest[] = [];
  private readonly attempts = new Map<string, number>();
  private readonly perSubject = new Map<string, number>();
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly secret: string;
  private fallback: Behaviour = ALWAYS_OK;
  private closed = false;
  private listeningPort = 0;

  /** @param secret the Standard Webhooks secret (`whsec_…`) the receiver signs with. */
  constructor(secret: string) {
    this.secret = secret;
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  /** Listens on 127.0.0.1 on a random port. */
  async listen(): Promise<void> {
    await this.bind(0);
    const address = this.server.address();
    if (typeof address !== "object" || !address) throw new Error("downstream has no address");
    this.listeningPort = address.port;
  }

  /** The port it listens on. */
  get port(): number {
    return this.listeningPort;
  }

  /** The URL the receiver must POST to (DOWNSTREAM_URL). */
  get url(): string {
    return `http://127.0.0.1:${this.listeningPort}/events`;
  }

  /** Programs the answers for one message id (CloudEvent `subject`). */
  behave(subject: string, behaviour: Behaviour): void {
    this.behaviours.set(subject, behaviour);
  }

  /** Programs the answers for every subject without its own behaviour (initially {@link ALWAYS_OK}). */
  behaveByDefault(behaviour: Behaviour): void {
    this.fallback = behaviour;
  }

  /** Every request so far, in arrival order (a copy). */
  requests(): DownstreamRequest[] {
    return [...this.log];
  }

  /** The requests whose CloudEvent has `subject` (a message id), in arrival order. */
  forSubject(subject: string): DownstreamRequest[] {
    return this.log.filter((request) => request.event?.subject === subject);
  }

  /** The requests for `subject` that were answered with a 2xx, in arrival order. */
  deliveredFor(subject: string): DownstreamRequest[] {
    return this.forSubject(subject).filter(
      (request) => request.answered !== undefined && request.answered >= 200 && request.answered < 300,
    );
  }

  /**
   * Simulates a downstream host that is down: stops listening and destroys every open connection, so that new
   * connections are refused and requests in flight fail. {@link acceptConnections} listens again on the same port.
   */
  async refuseConnections(): Promise<void> {
    if (this.closed || !this.server.listening) return;
    await this.unbind();
  }

  /** Listens again on the port it had, after {@link refuseConnections}. */
  async acceptConnections(): Promise<void> {
    if (this.closed || this.server.listening) return;
    await this.bind(this.listeningPort);
  }

  /** Whether it accepts connections now (false between {@link refuseConnections} and {@link acceptConnections}). */
  get accepting(): boolean {
    return this.server.listening;
  }

  /** Stops listening, destroys every open (for instance hanging) connection and cancels delayed replies. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.unbind();
  }

  private bind(port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen({ host: "127.0.0.1", port }, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
  }

  private async unbind(): Promise<void> {
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closing;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) return;
      this.respond(this.record(req, Buffer.concat(chunks)), res);
    });
  }

  private record(req: IncomingMessage, body: Buffer): DownstreamRequest {
    const receivedAt = Date.now();
    const id = header(req.headers, "webhook-id") ?? "";
    const attempt = (this.attempts.get(id) ?? 0) + 1;
    this.attempts.set(id, attempt);
    const request: DownstreamRequest = {
      index: this.log.length,
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body,
      receivedAt,
      signature: verifyWebhookSignature(
        this.secret,
        {
          id: header(req.headers, "webhook-id"),
          timestamp: header(req.headers, "webhook-timestamp"),
          signature: header(req.headers, "webhook-signature"),
        },
        body,
        receivedAt,
      ),
      event: parseCloudEvent(body),
      attempt,
    };
    this.log.push(request);
    return request;
  }

  private respond(request: DownstreamRequest, res: ServerResponse): void {
    const subject = request.event?.subject ?? "";
    const count = (this.perSubject.get(subject) ?? 0) + 1;
    this.perSubject.set(subject, count);
    const behaviour = this.behaviours.get(subject) ?? this.fallback;
    let reply: Reply;
    try {
      reply = behaviour(request, count);
    } catch (error) {
      reply = { status: 599, body: `behaviour threw: ${String(error)}` };
    }
    if ("hang" in reply) return;
    const send = () => {
      if (res.destroyed || res.writableEnded) return;
      request.answered = reply.status;
      res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
      res.end(reply.body ?? "");
    };
    if (!reply.delayMs) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, reply.delayMs);
    this.timers.add(timer);
  }
}

/** Starts a {@link Downstream} that verifies signatures with `secret`, listening on 127.0.0.1:0. */
export async function startDownstream(secret: string): Promise<Downstream> {
  const downstream = new Downstream(secret);
  await downstream.listen();
  return downstream;
}
