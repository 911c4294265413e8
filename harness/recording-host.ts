/**
 * A host the Bandwidth token must never reach, for the tests: a node:http server on 127.0.0.1 that answers
 * every request (200 and a few bytes, or a redirect it is told to give) and records each one, so that a test can
 * say whether it ever saw an Authorization header.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** One request as the host saw it. */
export interface HostRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

/** A running recording host; see {@link startRecordingHost}. */
export class RecordingHost {
  private readonly server = createServer((req, res) => this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  private readonly log: HostRequest[] = [];
  private listeningPort = 0;

  constructor() {
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  /** Listens on 127.0.0.1 on a free port. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
    });
    const address = this.server.address();
    this.listeningPort = typeof address === "object" && address ? address.port : 0;
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    return `http://127.0.0.1:${this.listeningPort}`;
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
  async close(): Promise<void> {
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closing;
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
