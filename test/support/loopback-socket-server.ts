import net from "node:net";

/**
 * A TCP server on 127.0.0.1 that plays one side of a protocol by hand, for what a real server
 * cannot be made to do on demand (ask for a password and wait, present an untrusted
 * certificate). It counts the connections it accepted, knows which are still open, and closes
 * them all on stop.
 */
export class LoopbackSocketServer {
  private server: net.Server | undefined;
  private sockets = new Set<net.Socket>();
  /** Connections accepted so far: how often a client tried. */
  accepted = 0;

  constructor(private readonly converse: (socket: net.Socket) => void) {}

  async start(): Promise<number> {
    this.server = net.createServer((socket) => {
      this.accepted++;
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("error", () => {});
      this.converse(socket);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return (this.server!.address() as net.AddressInfo).port;
  }

  /** Connections the client has not closed. */
  get open(): number {
    return this.sockets.size;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
