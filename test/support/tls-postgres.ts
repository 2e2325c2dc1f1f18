import net from "node:net";
import tls from "node:tls";

/**
 * A loopback server that takes a PostgreSQL client's SSLRequest as a server with ssl = on does
 * (it answers 'S'), then makes the TLS handshake with the certificate given, and answers nothing
 * after: what a client that does not trust that certificate meets before it sends its startup.
 */
export class TlsPostgres {
  private server: net.Server | undefined;
  private sockets = new Set<net.Socket>();
  /** Connections accepted so far: how often a client tried. */
  accepted = 0;

  constructor(private pair: { key: string; cert: string }) {}

  async start(): Promise<number> {
    this.server = net.createServer((socket) => {
      this.accepted++;
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("error", () => {});
      // SSLRequest: length 8, then the code 80877103.
      socket.once("data", () => {
        socket.write("S");
        const secure = new tls.TLSSocket(socket, { isServer: true, key: this.pair.key, cert: this.pair.cert });
        secure.on("error", () => {});
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return (this.server!.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
