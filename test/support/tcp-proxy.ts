import net from "node:net";

/**
 * A loopback TCP proxy in front of a server (a database, an instance), so a test can cut it off
 * (every connection dropped, new ones refused) and bring it back, as an outage would, or
 * silence it without closing anything, as a frozen server or a dropped network does.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private sockets = new Set<net.Socket>();
  private links = new Set<[net.Socket, net.Socket]>();
  private frozen = false;
  port = 0;
  /** Connections accepted so far: how often a client tried. */
  accepted = 0;

  constructor(
    private targetHost: string,
    private targetPort: number,
  ) {}

  async start(port = 0): Promise<number> {
    this.server = net.createServer((client) => {
      this.accepted++;
      this.track(client);
      // Accepted and never answered: what a client sees of a server that stopped answering.
      if (this.frozen) return void client.pause();
      const upstream = net.connect(this.targetPort, this.targetHost);
      this.track(upstream);
      this.links.add([client, upstream]);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Nothing is forwarded any more and nothing is closed: open connections fall silent, new ones are accepted and never answered. */
  freeze(): void {
    this.frozen = true;
    for (const [client, upstream] of this.links) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
    this.links.clear();
  }

  /** New connections are forwarded again; those open while frozen stay silent, as connections lost in a failover do. */
  thaw(): void {
    this.frozen = false;
  }

  /**
   * Drops every open connection and forwards new ones to another server: what a client sees of a
   * server restarted on the same port as another one (with another TLS certificate, say).
   */
  retarget(host: string, port: number): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.links.clear();
    this.targetHost = host;
    this.targetPort = port;
  }

  /** Drops every connection and stops listening: the database is gone. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.links.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => {});
  }
}
