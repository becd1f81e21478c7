import { existsSync, readdirSync } from "node:fs";
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

/** What running on FerretDB costs, said once at start. */
const FERRET_COST = "costs: SQLite writes one at a time, slower than MongoDB; fine for development, not for production";

/**
 * Which engines left data in a data folder: mongod keeps its files in the folder itself,
 * FerretDB in its `ferretdb` subfolder. An engine is remembered by its data, not by a note beside it.
 */
export function enginesWithData(dataDir: string): EngineName[] {
  const found: EngineName[] = [];
  if (["WiredTiger", "storage.bson"].some((file) => existsSync(path.join(dataDir, file)))) found.push("mongodb");
  const ferret = path.join(dataDir, "ferretdb");
  if (existsSync(ferret) && readdirSync(ferret).length > 0) found.push("ferretdb");
  return found;
}

const NAMES: Record<EngineName, string> = { mongodb: "MongoDB", ferretdb: "FerretDB" };

/**
 * Starts a database server for development and tests: a real mongod (mongodb-memory-server) when
 * one can be had, else FerretDB (a MongoDB-compatible server on SQLite) built from the bundled Go
 * source. mongod keeps its files in `dataDir`, FerretDB in `dataDir/ferretdb`. A folder that holds
 * one engine's data is opened by that engine only (no download attempt for FerretDB's), so a start
 * never silently switches to an empty database. One line says which engine, why, and what it costs.
 */
export async function startEmbeddedDatabase(opts: EmbeddedOptions): Promise<StartedEngine> {
  const { logger, dataDir } = opts;
  const preference = opts.engine ?? "auto";
  const launchers = opts.launchers ?? defaultLaunchers;
  const ferretDir = dataDir && path.join(dataDir, "ferretdb");
  const where = dataDir ?? "(temporary)";

  const startFerret = async (reason: string, quiet = false) => {
    const missing = await launchers.ferretUnavailable();
    if (missing) throw new EmbeddedDatabaseError(`No embedded database could start: ${reason}, and ${missing}. ${WAYS_OUT}`);
    const started = await launchers.startFerret(ferretDir, logger);
    const line = `embedded database: FerretDB (SQLite backend), because ${reason}; ${FERRET_COST}`;
    (quiet ? logger.info : logger.warn).call(logger, { engine: "ferretdb", reason, dataDir: ferretDir ?? "(temporary)" }, line);
    return started;
  };
  const startMongo = async (reason: string) => {
    const started = await launchers.startMongo(dataDir);
    logger.info({ engine: "mongodb", reason, dataDir: where }, `embedded database: MongoDB (mongodb-memory-server), because ${reason}`);
    return started;
  };

  const found = dataDir ? enginesWithData(dataDir) : [];
  const [only] = found.length === 1 ? found : [];
  if (found.length === 2 && preference === "auto") {
    throw new EmbeddedDatabaseError(
      `${where} holds both MongoDB's and FerretDB's data, and either would show only its own. ` +
        "Set MONGODB_EMBEDDED_ENGINE=mongodb or =ferretdb to say which to open.",
    );
  }
  if (only && preference !== "auto" && preference !== only) {
    throw new EmbeddedDatabaseError(
      `MONGODB_EMBEDDED_ENGINE=${preference}, but ${where} holds ${NAMES[only]}'s data: ${NAMES[preference]} would open an empty database there. ` +
        `Set MONGODB_EMBEDDED_ENGINE=${only} (or auto), or move the data across (mongodump, then mongorestore), or point MONGODB_DATA_DIR elsewhere.`,
    );
  }
  const engine = preference === "auto" ? only : preference;

  if (engine === "ferretdb") {
    return startFerret(only === "ferretdb" ? `${where} holds FerretDB's data (no MongoDB download tried)` : "MONGODB_EMBEDDED_ENGINE=ferretdb", true);
  }
  if (engine === "mongodb") {
    try {
      return await startMongo(only === "mongodb" ? `${where} holds MongoDB's data` : "MONGODB_EMBEDDED_ENGINE=mongodb");
    } catch (err) {
      const cause = only === "mongodb" ? ` FerretDB is not started instead: it would open an empty database, not the data in ${where}.` : "";
      throw new EmbeddedDatabaseError(`The embedded MongoDB could not start (${mongoFailure(err)}).${cause} ${WAYS_OUT}`);
    }
  }
  // A new folder (or none): MongoDB if a binary can be had, else FerretDB.
  let mongoProblem: string;
  try {
    return await startMongo("a MongoDB binary could be had");
  } catch (err) {
    mongoProblem = mongoFailure(err);
  }
  return startFerret(`no MongoDB binary could be had (${mongoProblem})`);
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim().slice(0, 300) || "unknown error";

/** Why mongodb-memory-server gave no MongoDB, in a few words: a failed download names its cause only. */
function mongoFailure(err: unknown): string {
  const { url, msg } = err as { url?: unknown; msg?: unknown };
  if (typeof url === "string" && typeof msg === "string") return `its download failed: ${oneLine(msg)}`;
  return oneLine((err as Error).message);
}
