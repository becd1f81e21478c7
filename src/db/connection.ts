import mongoose, { type Connection } from "mongoose";
import type { Logger } from "../logger.js";
import { createModels, type Models } from "./models.js";
import { startEmbeddedDatabase, type EnginePreference } from "./embedded/index.js";

export interface Database {
  connection: Connection;
  models: Models;
  /** True while the server answers a ping. */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}

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

  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: 10_000,
    // Never buffer: a query while the database is away should fail fast, not pile up.
    bufferCommands: false,
    autoIndex: false,
  });
  try {
    await connection.asPromise();
  } catch (err) {
    await stopEmbedded?.();
    throw new DatabaseUnavailableError(`Could not connect to MongoDB: ${(err as Error).message}`);
  }
  let closing = false;
  connection.on("disconnected", () => closing || logger.warn("MongoDB disconnected; the driver keeps reconnecting"));
  connection.on("reconnected", () => logger.info("MongoDB reconnected"));

  const models = createModels(connection);
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));

  return {
    connection,
    models,
    async isHealthy() {
      if (connection.readyState !== 1 || !connection.db) return false;
      try {
        await connection.db.admin().command({ ping: 1 }, { timeoutMS: 2_000 });
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      closing = true;
      await connection.close();
      await stopEmbedded?.();
    },
  };
}
