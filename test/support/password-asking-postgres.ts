import { LoopbackSocketServer } from "./loopback-socket-server.ts";

/**
 * A loopback server that authenticates as a PostgreSQL server set to scram-sha-256 does: it
 * offers SCRAM-SHA-256 (AuthenticationSASL), answers the client's first message with its own
 * (AuthenticationSASLContinue: the nonces, a salt, the iterations), then waits for the client's
 * proof, as PostgreSQL waits until its authentication_timeout. A client that holds no password
 * has none to give; the connection is closed only by the client.
 */
export class PasswordAskingPostgres extends LoopbackSocketServer {
  constructor() {
    super((socket) => {
      // The startup message comes first, then the client's SASLInitialResponse with its nonce.
      socket.once("data", () => {
        socket.write(authentication(10, "SCRAM-SHA-256\0\0"));
        socket.once("data", (initial) => {
          const clientNonce = /r=([^,\0]+)/.exec(initial.toString("latin1"))?.[1] ?? "";
          socket.write(authentication(11, `r=${clientNonce}${"s".repeat(24)},s=${Buffer.from("a salt").toString("base64")},i=4096`));
        });
      });
    });
  }
}

/** An Authentication message of the PostgreSQL protocol: 'R', its length, its kind (10 SASL, 11 SASLContinue), its data. */
function authentication(kind: number, data: string): Buffer {
  const body = Buffer.concat([Buffer.alloc(4), Buffer.from(data, "latin1")]);
  body.writeInt32BE(kind, 0);
  const header = Buffer.alloc(5);
  header.write("R", 0);
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}
