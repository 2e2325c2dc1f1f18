import { randomBytes } from "node:crypto";
import net from "node:net";
import { type ConfigInput, loadConfig } from "../../src/config.ts";
import type { RunningServer } from "../../src/server.ts";
import { startServer } from "../../src/server.ts";
import type { DialectUnderTest } from "./stores.ts";
import { tempDir } from "./stores.ts";

export const adminPassword = "correct horse battery staple";
/** PostgreSQL nodes must be given the key that encrypts consumer secrets; tests share one. */
export const testSecretKey = randomBytes(32).toString("base64");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface TestInstance extends RunningServer {
  base: string;
}

/**
 * A real server on 127.0.0.1 over the given store, as a client would reach it. With
 * `{ https: true }` it serves TLS and `base` is its https://localhost URL.
 */
export async function startTestInstance(dialect: DialectUnderTest, settings: Partial<ConfigInput> = {}, options: { now?: () => Date } = {}): Promise<TestInstance> {
  const { store, dispose } = await dialect.open();
  const port = await freePort();
  const config = loadConfig({ dataDir: tempDir(), port, host: "127.0.0.1", adminPassword, logLevel: "silent", ...(store.dialect === "postgres" ? { secretKey: testSecretKey } : {}), ...settings });
  const server = await startServer(config, { store, logger: false, print: () => {}, ...options });
  return {
    ...server,
    base: config.https ? config.publicUrl : `http://127.0.0.1:${port}`,
    close: async () => {
      await server.close().catch(() => {});
      await dispose();
    },
  };
}
