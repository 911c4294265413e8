/**
 * Free TCP ports on 127.0.0.1.
 */
import { createServer } from "node:net";

/** A port that was free a moment ago: binds port 0 on 127.0.0.1, reads the port and closes. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close((error) => {
        if (error) reject(error);
        else if (port > 0) resolve(port);
        else reject(new Error("could not read the bound port"));
      });
    });
  });
}
