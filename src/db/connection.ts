import mongoose, { type Connection, type ConnectOptions } from "mongoose";
import type { Logger } from "../logger.js";
import { createModels, type Models } from "./models.js";
import { startEmbeddedDatabase, type EnginePreference } from "./embedded/index.js";

export interface Database {
  connection: Connection;
  models: Models;
  /** True while the server answers a ping through our connection. */
  isHealthy(): Promise<boolean>;
  /** Pings through our connection: undefined when it answered, else why not. */
  ping(withinMs?: number): Promise<Error | undefined>;
  /** True when a brand-new client reaches the server: tells "the server is down" from "our driver is stuck". */
  probe(): Promise<boolean>;
  /** Replaces the driver's client under the same mongoose connection (models keep working). */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DatabaseUnavailableError(`${what} took longer than ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });

export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

/** `mongodb://host:port/` with the database path set to `name`. */
function withDatabaseName(uri: string, name: string) {
  const url = new URL(uri);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Connects to MONGODB_URI, or with none set starts an embedded database (see embedded/index.ts)
 * whose files live in `dataDir`, so a laptop needs no set-up and a restart keeps the generations.
 */
export async function connectDatabase(opts: {
  uri?: string;
  dataDir: string;
  embeddedEngine?: EnginePreference;
  logger: Logger;
  /** How long one operation waits for an unreachable server (serverSelectionTimeoutMS). */
  timeoutMs?: number;
}): Promise<Database> {
  const { logger } = opts;
  let uri = opts.uri;
  let stopEmbedded: (() => Promise<unknown>) | undefined;
  if (!uri) {
    logger.warn({ dataDir: opts.dataDir }, "MONGODB_URI is not set: starting an embedded database (a development default, not for production)");
    try {
      const embedded = await startEmbeddedDatabase({ dataDir: opts.dataDir, logger, engine: opts.embeddedEngine });
      uri = withDatabaseName(embedded.uri, "astrolus");
      stopEmbedded = () => embedded.stop();
    } catch (err) {
      throw new DatabaseUnavailableError((err as Error).message);
    }
  }

  const timeoutMs = opts.timeoutMs ?? 5_000;
  const HEALTH_PING_MS = 500;
  const options: ConnectOptions = {
    // Bounds how long an operation waits while the database is away. It must stay well below
    // Telegram's patience, so an update that cannot be stored is answered 503 and redelivered.
    serverSelectionTimeoutMS: timeoutMs,
    // Never buffer: a query while the database is away should fail fast, not pile up.
    bufferCommands: false,
    autoIndex: false,
  };
  const connection = mongoose.createConnection(uri, options);
  const mongoUri = uri;
  try {
    await connection.asPromise();
  } catch (err) {
    await stopEmbedded?.();
    throw new DatabaseUnavailableError(`Could not connect to MongoDB: ${(err as Error).message}`);
  }
  let closing = false;
  connection.on("disconnected", () => closing || logger.warn("MongoDB disconnected; the driver keeps reconnecting"));
  // The health watch (db/health.ts) logs "MongoDB reconnected" once work can go on again.
  connection.on("reconnected", () => logger.debug("MongoDB driver reconnected"));

  const models = createModels(connection);
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));

  async function ping(withinMs = timeoutMs) {
    try {
      // No readyState shortcut: a ping while disconnected is what makes the driver look again.
      await withTimeout(connection.getClient().db("admin").command({ ping: 1 }), withinMs, "ping");
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }

  return {
    connection,
    models,
    ping,
    // Load balancers give a health check a second or so: answer within half of that, whatever the database does.
    isHealthy: async () => (await ping(Math.min(timeoutMs, HEALTH_PING_MS))) === undefined,
    async probe() {
      const client = new mongoose.mongo.MongoClient(mongoUri, {
        serverSelectionTimeoutMS: Math.min(timeoutMs, 3_000),
        connectTimeoutMS: Math.min(timeoutMs, 3_000),
      });
      try {
        await withTimeout(client.db("admin").command({ ping: 1 }), timeoutMs, "probe");
        return true;
      } catch {
        return false;
      } finally {
        void client.close(true).catch(() => undefined);
      }
    },
    async reopen() {
      // Not a forced close: mongoose refuses every later query on a force-closed connection.
      await withTimeout(connection.close(), 2_000, "closing the stuck client").catch(() => undefined);
      await connection.openUri(mongoUri, options);
    },
    async close() {
      closing = true;
      // A dead database must not hold the shutdown: what could not be written expires as designed.
      await withTimeout(connection.close(), 1_000, "closing MongoDB").catch(() => connection.close(true).catch(() => undefined));
      await stopEmbedded?.();
    },
  };
}
