/**
 * A TCP proxy that counts what crosses it. In front of MongoDB it parses the wire protocol just
 * enough to count request messages (each one a round trip) by command and collection; in front of
 * an HTTP server it counts the bytes a client has sent.
 */
import net from "node:net";

export interface WireMeter {
  port: number;
  /** `uri` with its host and port replaced by the proxy's. */
  uriFor(uri: string): string;
  /** Bytes received from clients so far. */
  readonly clientBytes: number;
  /** MongoDB request messages so far, by "command collection" (mongo mode only). */
  readonly commands: Map<string, number>;
  /** Total request messages so far (mongo mode only). */
  readonly messages: number;
  close(): Promise<void>;
}

const OP_MSG = 2013;
const OP_QUERY = 2004;

/** "find generations", "hello", "insert claims": the first element of a command document. */
function describe(message: Buffer): string {
  const opCode = message.readInt32LE(12);
  let doc: number;
  if (opCode === OP_MSG) doc = 21; // header 16, flagBits 4, section kind 1
  else if (opCode === OP_QUERY) doc = message.indexOf(0, 20) + 9; // flags 4, collection cstring, skip 4, return 4
  else return `opcode ${opCode}`;
  const type = message[doc + 4];
  const nameEnd = message.indexOf(0, doc + 5);
  const name = message.toString("utf8", doc + 5, nameEnd);
  if (type === 0x02) {
    const len = message.readInt32LE(nameEnd + 1);
    return `${name} ${message.toString("utf8", nameEnd + 5, nameEnd + 4 + len)}`;
  }
  return name;
}

export async function startWireMeter(target: { host: string; port: number }, mode: "mongo" | "bytes"): Promise<WireMeter> {
  const sockets = new Set<net.Socket>();
  const commands = new Map<string, number>();
  let clientBytes = 0;
  let messages = 0;

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let pending: Buffer = Buffer.alloc(0);
    client.on("data", (chunk: Buffer) => {
      clientBytes += chunk.length;
      if (mode === "mongo") {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
          const len = pending.readInt32LE(0);
          const key = describe(pending.subarray(0, len));
          commands.set(key, (commands.get(key) ?? 0) + 1);
          messages++;
          pending = pending.subarray(len);
        }
      }
      // Backpressure both ways, so the meter never buffers a stream whole.
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once("drain", () => client.resume());
      }
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!client.write(chunk)) {
        upstream.pause();
        client.once("drain", () => upstream.resume());
      }
    });
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    uriFor(uri) {
      const u = new URL(uri);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    get clientBytes() {
      return clientBytes;
    },
    get commands() {
      return commands;
    },
    get messages() {
      return messages;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
