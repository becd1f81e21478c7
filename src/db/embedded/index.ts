import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { EmbeddedLogger, EngineName, StartedEngine } from "./common.js";
import { startMongoMemory } from "./mongodb.js";
import { ensureFerretDbBinary, ferretDbBinaryPath, findGo, startFerretDb } from "./ferretdb.js";

export type { EmbeddedLogger, EngineName, StartedEngine };
export type EnginePreference = "auto" | EngineName;

export class EmbeddedDatabaseError extends Error {
  override name = "EmbeddedDatabaseError";
}

/** The engines, each behind one call, so the choice between them can be tested on its own. */
export interface EngineLaunchers {
  startMongo(dataDir: string | undefined): Promise<StartedEngine>;
  /** Why FerretDB cannot be had here, or undefined when it can (a cached build, or Go to build it). */
  ferretUnavailable(): Promise<string | undefined>;
  startFerret(dataDir: string | undefined, logger: EmbeddedLogger): Promise<StartedEngine>;
}

export const defaultLaunchers: EngineLaunchers = {
  startMongo: startMongoMemory,
  async ferretUnavailable() {
    if (existsSync(ferretDbBinaryPath())) return undefined;
    return (await findGo()) ? undefined : "Go is not installed, so FerretDB cannot be built";
  },
  async startFerret(dataDir, logger) {
    const binary = await ensureFerretDbBinary(logger);
    if (dataDir) return startFerretDb(binary, dataDir);
    const scratch = await mkdtemp(path.join(tmpdir(), "astrolus-ferretdb-"));
    const engine = await startFerretDb(binary, scratch);
    return { ...engine, stop: () => engine.stop().finally(() => rm(scratch, { recursive: true, force: true })) };
  },
};

const WAYS_OUT =
  "Ways out: (1) give this machine network access once, so mongodb-memory-server can download a MongoDB binary; " +
  "(2) set MONGOMS_SYSTEM_BINARY to an installed mongod, or MONGODB_URI to a running MongoDB; " +
  "(3) install Go 1.24 or newer, so the bundled FerretDB can be built (once, about 75 s).";

export interface EmbeddedOptions {
  /** Where the data lives across restarts; undefined for a throw-away database (tests). */
  dataDir: string | undefined;
  logger: EmbeddedLogger;
  engine?: EnginePreference;
  launchers?: EngineLaunchers;
}

/**
 * Starts a database server for development and tests: a real mongod (mongodb-memory-server) when
 * one can be had, else FerretDB (a MongoDB-compatible server on SQLite) built from the bundled Go
 * source. mongod keeps its files in `dataDir`, FerretDB in `dataDir/ferretdb`.
 */
export async function startEmbeddedDatabase(opts: EmbeddedOptions): Promise<StartedEngine> {
  const { logger, dataDir } = opts;
  const engine = opts.engine ?? "auto";
  const launchers = opts.launchers ?? defaultLaunchers;
  const ferretDir = dataDir && path.join(dataDir, "ferretdb");

  const startFerret = async (reason: string) => {
    const missing = await launchers.ferretUnavailable();
    if (missing) throw new EmbeddedDatabaseError(`No embedded database could start: ${reason}, and ${missing}. ${WAYS_OUT}`);
    const started = await launchers.startFerret(ferretDir, logger);
    logger.info({ engine: "ferretdb", reason, dataDir: ferretDir ?? "(temporary)" }, "embedded database: FerretDB (SQLite backend)");
    return started;
  };

  if (engine === "ferretdb") return startFerret("MONGODB_EMBEDDED_ENGINE=ferretdb");
  let mongoProblem: string;
  try {
    const started = await launchers.startMongo(dataDir);
    logger.info({ engine: "mongodb", dataDir: dataDir ?? "(temporary)" }, "embedded database: MongoDB (mongodb-memory-server)");
    return started;
  } catch (err) {
    mongoProblem = oneLine((err as Error).message);
  }
  if (engine === "mongodb") {
    throw new EmbeddedDatabaseError(`The embedded MongoDB could not start (${mongoProblem}). ${WAYS_OUT}`);
  }
  logger.warn({ err: mongoProblem }, "mongodb-memory-server could not start a MongoDB; falling back to FerretDB");
  return startFerret(`no MongoDB binary (${mongoProblem})`);
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim().slice(0, 300) || "unknown error";
