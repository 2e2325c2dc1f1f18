import { LoopbackSocketServer } from "./loopback-socket-server.ts";
import tls from "node:tls";

/**
 * A loopback server that takes a PostgreSQL client's SSLRequest as a server with ssl = on does
 * (it answers 'S'), then makes the TLS handshake with the certificate given, and answers nothing
 * after: what a client that does not trust that certificate meets before it sends its startup.
 */
export class TlsPostgres extends LoopbackSocketServer {
  constructor(pair: { key: string; cert: string }) {
    super((socket) => {
      // SSLRequest: length 8, then the code 80877103.
      socket.once("data", () => {
        socket.write("S");
        const secure = new tls.TLSSocket(socket, { isServer: true, key: pair.key, cert: pair.cert });
        secure.on("error", () => {});
      });
    });
  }
}
