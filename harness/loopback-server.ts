/**
 * The node:http server the tests' local fakes share: it listens on a free port of 127.0.0.1, says its origin,
 * and closes by ending every connection at once (keep-alive sockets included), so that a test never waits on one.
 */
import { createServer, type RequestListener } from "node:http";
import type { Socket } from "node:net";

/** A listening (or not yet listening) loopback HTTP server. */
export class LoopbackServer {
  private readonly server;
  private readonly sockets = new Set<Socket>();
  private listeningPort = 0;

  constructor(handler: RequestListener) {
    this.server = createServer(handler);
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

  /** The port it listens on (0 before {@link listen}). */
  get port(): number {
    return this.listeningPort;
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    return `http://127.0.0.1:${this.listeningPort}`;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closing;
  }
}
