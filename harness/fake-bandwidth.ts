/**
 * A local fake of the parts of Bandwidth's API the receiver calls, for the tests: a node:http server on
 * 127.0.0.1 (free port) with the OAuth2 token endpoint (`POST /api/v1/oauth2/token`: checks the client
 * credentials, issues tokens with `expires_in`, counts them), media files (`GET /api/v2/users/{account}/media/…`:
 * fixed, lazily produced 5 MiB, just over 5 MiB, endless, 404), List Messages
 * (`GET /api/v2/users/{account}/messages?messageId=…`) answering scripted listMessageItem results or 429 with
 * Retry-After, and a record of every request's Authorization header by path. API calls need a live token.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type FakeMediaFile, FIVE_MIB, LazyProduction } from "./fake-media.ts";
import { LoopbackServer } from "./loopback-server.ts";

/** The credentials and account the fake accepts. */
export const FAKE_ACCOUNT_ID = "9900000";
export const FAKE_CLIENT_ID = "fake-client-id";
export const FAKE_CLIENT_SECRET = "fake-client-secret-0123456789";

/** One scripted List Messages answer. */
export type ListAnswer =
  | { items: Array<Record<string, unknown>> }
  | { status: number; retryAfter?: string; body?: string }
  | { hang: true };

/** One request as the fake saw it. */
export interface FakeRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: string;
  authorization: string | undefined;
  /** When it arrived (epoch ms). */
  at: number;
  status?: number;
}

/** The media every fake serves from the start, by id (the part after `/media/`). */
export const BUILT_IN_MEDIA: Record<string, FakeMediaFile> = {
  "small-1/0/hello.txt": { contentType: "text/plain", body: Buffer.from("hello from bandwidth\n") },
  "lazy-5mib/0/big.bin": { contentType: "application/octet-stream", body: { lazy: FIVE_MIB } },
  "over-5mib/0/huge.bin": { contentType: "application/octet-stream", body: { lazy: FIVE_MIB + 1 } },
  "endless/0/stream.bin": {
    contentType: "application/octet-stream",
    body: { lazy: Number.POSITIVE_INFINITY },
  },
};

/** A running fake; see {@link startFakeBandwidth}. */
export class FakeBandwidth {
  /** Bytes produced by lazy bodies, per media id. */
  readonly production = new LazyProduction();
  private readonly server = new LoopbackServer((req, res) => this.handle(req, res));
  private readonly log: FakeRequest[] = [];
  private readonly tokens = new Map<string, number>();
  private readonly media = new Map(Object.entries(BUILT_IN_MEDIA));
  private readonly listScripts = new Map<string, ListAnswer[]>();
  private tokenLifetimeS = 3600;
  private tokensAccepted = true;
  private tokenAnswers: number[] = [];
  private issued = 0;

  /** Listens on 127.0.0.1 on a free port. */
  listen(): Promise<void> {
    return this.server.listen();
  }

  /** `http://127.0.0.1:<port>`: the origin to allow (MEDIA_ALLOWED_HOSTS = `127.0.0.1:<port>`). */
  get origin(): string {
    return this.server.origin;
  }

  /** `host:port`, as MEDIA_ALLOWED_HOSTS lists it. */
  get hostPort(): string {
    return `127.0.0.1:${this.server.port}`;
  }

  /** BANDWIDTH_TOKEN_URL for this fake. */
  get tokenUrl(): string {
    return `${this.origin}/api/v1/oauth2/token`;
  }

  /** BANDWIDTH_API_URL for this fake. */
  get apiUrl(): string {
    return `${this.origin}/api/v2`;
  }

  /** The URL of media file `id` (as Bandwidth puts it in `message.media`). */
  mediaUrl(id: string): string {
    return `${this.apiUrl}/users/${FAKE_ACCOUNT_ID}/media/${id}`;
  }

  /** Serves `file` as media `id`. */
  addMedia(id: string, file: FakeMediaFile): void {
    this.media.set(id, file);
  }

  /** Tokens issued so far. */
  tokensIssued(): number {
    return this.issued;
  }

  /** The `expires_in` (seconds) of tokens issued from now on. */
  setTokenLifetime(seconds: number): void {
    this.tokenLifetimeS = seconds;
  }

  /** Makes every token issued so far invalid (API calls with it get 401). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Whether API calls accept the tokens issued (false: every call is 401, as for a credential without a role). */
  acceptTokens(accepted: boolean): void {
    this.tokensAccepted = accepted;
  }

  /** The statuses the next token requests get instead of a token (e.g. [401], [429, 500]). */
  failTokenRequests(statuses: number[]): void {
    this.tokenAnswers = [...statuses];
  }

  /** What List Messages answers for `messageId`, one answer per request; the last one repeats. */
  scriptMessages(messageId: string, answers: ListAnswer[]): void {
    this.listScripts.set(messageId, [...answers]);
  }

  /** Every request so far (a copy). */
  requests(): FakeRequest[] {
    return [...this.log];
  }

  /** The Authorization header of every request whose path starts with `prefix`, in order. */
  authorizationsFor(prefix: string): Array<string | undefined> {
    return this.log
      .filter((request) => request.path.startsWith(prefix))
      .map((request) => request.authorization);
  }

  /** Stops listening and drops every connection (hanging ones included). */
  close(): Promise<void> {
    return this.server.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", this.origin);
    const request: FakeRequest = {
      method: req.method ?? "",
      path: url.pathname,
      query: url.search,
      authorization: req.headers.authorization,
      at: Date.now(),
    };
    this.log.push(request);
    const answer = (status: number, headers: Record<string, string> = {}, body = "") => {
      request.status = status;
      res.writeHead(status, headers).end(body);
    };
    if (url.pathname === "/api/v1/oauth2/token") {
      this.token(req, answer);
      return;
    }
    req.resume();
    const prefix = `/api/v2/users/${FAKE_ACCOUNT_ID}/`;
    const rest = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : undefined;
    if (!url.pathname.startsWith("/api/v2/")) answer(404);
    else if (!this.validToken(req.headers.authorization)) {
      answer(401, { "content-type": "application/json" }, '{"type":"unauthorized"}');
    } else if (rest === undefined) answer(403);
    else if (rest === "messages" && req.method === "GET") {
      this.listMessages(url.searchParams.get("messageId") ?? "", request, res);
    } else if (rest.startsWith("media/") && req.method === "GET")
      this.serveMedia(rest.slice(6), request, res);
    else answer(404);
  }

  private token(
    req: IncomingMessage,
    answer: (status: number, headers?: Record<string, string>, body?: string) => void,
  ) {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const scripted = this.tokenAnswers.shift();
      if (scripted !== undefined) return answer(scripted, { "retry-after": "7" });
      const expected = `Basic ${Buffer.from(`${FAKE_CLIENT_ID}:${FAKE_CLIENT_SECRET}`).toString("base64")}`;
      if (req.headers.authorization !== expected) {
        return answer(401, { "content-type": "application/json" }, '{"error":"invalid_client"}');
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      if (form.get("grant_type") !== "client_credentials")
        return answer(400, {}, '{"error":"unsupported_grant_type"}');
      this.issued += 1;
      const token = `fake-token-${this.issued}-${randomBytes(8).toString("hex")}`;
      this.tokens.set(token, Date.now() + this.tokenLifetimeS * 1000);
      const body = { access_token: token, token_type: "Bearer", expires_in: this.tokenLifetimeS };
      return answer(200, { "content-type": "application/json" }, JSON.stringify(body));
    });
  }

  private validToken(authorization: string | undefined): boolean {
    const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
    const expiresAt = token === undefined ? undefined : this.tokens.get(token);
    return this.tokensAccepted && expiresAt !== undefined && Date.now() < expiresAt;
  }

  private listMessages(messageId: string, request: FakeRequest, res: ServerResponse): void {
    const script = this.listScripts.get(messageId) ?? [];
    const answer: ListAnswer = (script.length > 1 ? script.shift() : script[0]) ?? { items: [] };
    if ("hang" in answer) return;
    if ("items" in answer) {
      request.status = 200;
      const body = { totalCount: answer.items.length, pageInfo: {}, messages: answer.items };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      return;
    }
    request.status = answer.status;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (answer.retryAfter !== undefined) headers["retry-after"] = answer.retryAfter;
    res.writeHead(answer.status, headers).end(answer.body ?? '{"type":"error"}');
  }

  private serveMedia(id: string, request: FakeRequest, res: ServerResponse): void {
    const file = this.media.get(id);
    if (!file) {
      request.status = 404;
      res.writeHead(404, { "content-type": "application/json" }).end('{"type":"not-found"}');
      return;
    }
    if (file.redirectTo !== undefined) {
      request.status = 302;
      res.writeHead(302, { location: file.redirectTo }).end();
      return;
    }
    const size = Buffer.isBuffer(file.body) ? file.body.length : file.body.lazy;
    const headers: Record<string, string> = { "content-type": file.contentType };
    if (file.contentLength !== false && Number.isFinite(size)) headers["content-length"] = String(size);
    request.status = 200;
    res.writeHead(200, headers);
    if (Buffer.isBuffer(file.body)) {
      res.end(file.body);
      return;
    }
    const body = this.production.stream(id, size);
    res.once("close", () => body.destroy());
    body.pipe(res);
  }
}

/** Starts a {@link FakeBandwidth} on 127.0.0.1:0. */
export async function startFakeBandwidth(): Promise<FakeBandwidth> {
  const fake = new FakeBandwidth();
  await fake.listen();
  return fake;
}
