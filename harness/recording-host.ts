/**
 * A host the Bandwidth token must never reach, for the tests: a node:http server on 127.0.0.1 that answers
 * every request (200 and a few bytes, or a redirect it is told to give) and records each one, so that a test can
 * say whether it ever saw an Authorization header.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackServer } from "./loopback-server.ts";

/** One request as the host saw it. */
export interface HostRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

/** A running recording host; see {@link startRecordingHost}. */
export class RecordingHost {
  private readonly server = new LoopbackServer((req, res) => this.handle(req, res));
  private readonly log: HostRequest[] = [];

  /** Listens on 127.0.0.1 on a free port. */
  listen(): Promise<void> {
    return this.server.listen();
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    return this.server.origin;
  }

  /** Every request so far (a copy). */
  requests(): HostRequest[] {
    return [...this.log];
  }

  /** Whether any request carried an Authorization header (a token or credentials). */
  sawAuthorization(): boolean {
    return this.log.some((request) => request.authorization !== undefined);
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    return this.server.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.log.push({
      method: req.method ?? "",
      path: req.url ?? "",
      authorization: req.headers.authorization,
    });
    req.resume();
    res.writeHead(200, { "content-type": "image/png", "content-length": "4" }).end("fake");
  }
}

/** Starts a {@link RecordingHost} on 127.0.0.1:0. */
export async function startRecordingHost(): Promise<RecordingHost> {
  const host = new RecordingHost();
  await host.listen();
  return host;
}
