/**
 * A TCP proxy between an app and its MongoDB server that can hold back one command on the wire,
 * so a test can make a chosen database operation "slow" and act while it is in flight: the
 * deterministic way to open a race window that real network latency opens by chance.
 *
 * It understands just enough of the wire protocol to find a command by name in a message (the
 * command name and collection appear as plain BSON strings); everything else is passed through.
 */
import net from "node:net";

export interface HeldCommand {
  /** When the proxy stopped the message (ms since epoch). */
  at: number;
  /**
   * Sends the message (and whatever the client wrote after it) on to the server. Like a packet
   * already in flight, it is delivered even if the client has closed its end meanwhile.
   * Resolves once the server has answered it (or closed the connection).
   */
  release(): Promise<void>;
}

export interface MongoProxy {
  /** `uri` with its host and port replaced by the proxy's. */
  uriFor(uri: string): string;
  /**
   * Holds the next message that carries command `command` on collection `collection` (e.g.
   * "findAndModify", "generations"); resolves once such a message has been stopped.
   */
  holdNext(command: string, collection: string, timeoutMs?: number): Promise<HeldCommand>;
  /** The database "goes away": open connections are cut and new ones refused until restore(). */
  sever(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Byte pattern of a BSON string element `name: value` (type 0x02), as a command's first field. */
function bsonStringElement(name: string, value: string): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32LE(Buffer.byteLength(value) + 1);
  return Buffer.concat([Buffer.from([0x02]), Buffer.from(`${name}\0`), len, Buffer.from(`${value}\0`)]);
}

export async function startMongoProxy(targetUri: string): Promise<MongoProxy> {
  const target = new URL(targetUri);
  const targetPort = Number(target.port || 27017);
  const targetHost = target.hostname;
  const sockets = new Set<net.Socket>();
  let armed: { pattern: Buffer; onHeld: (h: HeldCommand) => void } | undefined;
  let severed = false;

  const server = net.createServer((client) => {
    if (severed) return void client.destroy();
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    let held: Buffer[] | undefined; // while set, client bytes wait here instead of going upstream
    let clientEnded = false;
    let answered: (() => void) | undefined;

    const forward = (chunk: Buffer) => {
      if (held) return void held.push(chunk);
      if (armed && chunk.includes(armed.pattern)) {
        const { onHeld } = armed;
        armed = undefined;
        held = [chunk];
        onHeld({
          at: Date.now(),
          release: () =>
            new Promise<void>((resolve) => {
              if (upstream.destroyed) return resolve();
              answered = resolve;
              const queued = held ?? [];
              held = undefined;
              for (const c of queued) upstream.write(c);
              if (clientEnded) upstream.end();
            }),
        });
        return;
      }
      if (!upstream.destroyed) upstream.write(chunk);
    };

    client.on("data", forward);
    upstream.on("data", (chunk: Buffer) => {
      answered?.();
      answered = undefined;
      if (!client.destroyed) client.write(chunk);
    });
    client.on("end", () => {
      clientEnded = true;
      if (!held) upstream.end();
    });
    upstream.on("end", () => client.end());
    client.on("close", () => {
      sockets.delete(client);
      clientEnded = true;
      if (!held) upstream.end();
    });
    upstream.on("close", () => {
      answered?.();
      answered = undefined;
      sockets.delete(upstream);
      client.destroy();
    });
    client.on("error", () => undefined);
    upstream.on("error", () => client.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  return {
    uriFor(uri: string) {
      const u = new URL(uri);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    holdNext(command, collection, timeoutMs = 10_000) {
      if (armed) throw new Error("mongo proxy: already waiting for a command to hold");
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          armed = undefined;
          reject(new Error(`mongo proxy: no ${command} on ${collection} within ${timeoutMs} ms`));
        }, timeoutMs);
        armed = {
          pattern: bsonStringElement(command, collection),
          onHeld: (h) => {
            clearTimeout(timer);
            resolve(h);
          },
        };
      });
    },
    sever() {
      severed = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      severed = false;
    },
    async close() {
      armed = undefined;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
