/**
 * A TCP proxy between an app and its MongoDB server that can hold back one command on the wire,
 * so a test can make a chosen database operation "slow" and act while it is in flight: the
 * deterministic way to open a race window that real network latency opens by chance.
 *
 * It understands just enough of the wire protocol to find a command by name in a message (the
 * command name and collection appear as plain BSON strings); everything else is passed through.
 */
import net from "node:net";
import mongoose from "mongoose";

/** A server error as MongoDB answers it: `{ ok: 0, code, codeName, errmsg }`. */
export interface ServerErrorReply {
  code: number;
  codeName: string;
  errmsg: string;
}

/** MaxTimeMSExpired: the server gave up on a slow operation. Not an outage: the driver does not retry it. */
export const MAX_TIME_EXPIRED: ServerErrorReply = { code: 50, codeName: "MaxTimeMSExpired", errmsg: "operation exceeded time limit" };

const OP_MSG = 2013;

/**
 * The server's error answer to the OP_MSG `request` (one whole message): an OP_MSG whose
 * responseTo is the request's id and whose body is the error document.
 */
function errorReplyTo(request: Buffer, error: ServerErrorReply): Buffer | undefined {
  if (request.length < 21 || request.readInt32LE(0) !== request.length || request.readInt32LE(12) !== OP_MSG) return undefined;
  const body = Buffer.from(mongoose.mongo.BSON.serialize({ ok: 0, errmsg: error.errmsg, code: error.code, codeName: error.codeName }));
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + body.length, 0);
  header.writeInt32LE(Math.floor(Math.random() * 2 ** 30), 4);
  header.writeInt32LE(request.readInt32LE(4), 8);
  header.writeInt32LE(OP_MSG, 12);
  header.writeUInt32LE(0, 16); // flagBits
  header.writeUInt8(0, 20); // section kind 0: the body document follows
  return Buffer.concat([header, body]);
}

export interface HeldCommand {
  /** When the proxy stopped the message (ms since epoch). */
  at: number;
  /**
   * Sends the message (and whatever the client wrote after it) on to the server. Like a packet
   * already in flight, it is delivered even if the client has closed its end meanwhile.
   * Resolves once the server has answered it (or closed the connection).
   */
  release(): Promise<void>;
  /** Answers the held message with a server error instead of sending it on (the server never sees it). */
  fail(error: ServerErrorReply): void;
}

export interface MongoProxy {
  /** `uri` with its host and port replaced by the proxy's. */
  uriFor(uri: string): string;
  /**
   * Holds the next message that carries command `command` on collection `collection` (e.g.
   * "findAndModify", "generations") and, when `also` is given, the BSON string element `field: value`;
   * resolves once such a message has been stopped.
   */
  holdNext(command: string, collection: string, timeoutMs?: number, also?: [field: string, value: string]): Promise<HeldCommand>;
  /**
   * Answers the next `times` messages that carry command `command` on `collection` (and contain the
   * BSON string element `alsoField: alsoValue`, when given) with `error`, as the server would.
   * Resolves with how many were answered so, once `times` were.
   */
  failNext(command: string, collection: string, error: ServerErrorReply, opts?: { times?: number; also?: [field: string, value: string] }): Promise<number>;
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
  let armed: { patterns: Buffer[]; onHeld: (h: HeldCommand) => void } | undefined;
  const failing: Array<{ patterns: Buffer[]; error: ServerErrorReply; left: number; done: (n: number) => void; answered: number }> = [];
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
      const fault = failing.find((f) => f.patterns.every((p) => chunk.includes(p)));
      const reply = fault && errorReplyTo(chunk, fault.error);
      if (fault && reply) {
        fault.answered++;
        if (--fault.left === 0) {
          failing.splice(failing.indexOf(fault), 1);
          fault.done(fault.answered);
        }
        if (!client.destroyed) client.write(reply);
        return;
      }
      if (armed && armed.patterns.every((p) => chunk.includes(p))) {
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
          fail: (error) => {
            const [first, ...rest] = held ?? [];
            const reply = first && errorReplyTo(first, error);
            if (!reply) throw new Error("mongo proxy: the held message is not one whole OP_MSG");
            held = undefined;
            if (!client.destroyed) client.write(reply);
            for (const c of rest) if (!upstream.destroyed) upstream.write(c);
          },
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
    holdNext(command, collection, timeoutMs = 10_000, also) {
      if (armed) throw new Error("mongo proxy: already waiting for a command to hold");
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          armed = undefined;
          reject(new Error(`mongo proxy: no ${command} on ${collection} within ${timeoutMs} ms`));
        }, timeoutMs);
        armed = {
          patterns: [bsonStringElement(command, collection), ...(also ? [bsonStringElement(...also)] : [])],
          onHeld: (h) => {
            clearTimeout(timer);
            resolve(h);
          },
        };
      });
    },
    failNext(command, collection, error, opts = {}) {
      return new Promise((resolve) => {
        const patterns = [bsonStringElement(command, collection), ...(opts.also ? [bsonStringElement(...opts.also)] : [])];
        failing.push({ patterns, error, left: opts.times ?? 1, done: resolve, answered: 0 });
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
