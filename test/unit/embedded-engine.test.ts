import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  defaultLaunchers,
  EmbeddedDatabaseError,
  startEmbeddedDatabase,
  type EngineLaunchers,
  type StartedEngine,
} from "../../src/db/embedded/index.js";
import { findGo } from "../../src/db/embedded/ferretdb.js";

const quiet = { info: () => {}, warn: () => {} };

/**
 * Where mongodb-memory-server is sent for its MongoDB: a loopback port that counts the connections
 * it gets and drops them (so every download fails, as offline, and each attempt is seen).
 */
async function downloadTrap(): Promise<{ server: Server; port: number; attempts: () => number }> {
  let attempts = 0;
  const server = createServer((socket) => {
    attempts++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as { port: number }).port, attempts: () => attempts };
}

/** A data folder holding files as `engines` leave them. */
async function dataFolder(root: string, name: string, engines: Array<"mongodb" | "ferretdb">) {
  const dir = path.join(root, name);
  await mkdir(path.join(dir, "ferretdb"), { recursive: true });
  if (engines.includes("mongodb")) await writeFile(path.join(dir, "WiredTiger"), "WiredTiger\nWiredTiger 11.2.0\n");
  if (engines.includes("ferretdb")) await writeFile(path.join(dir, "ferretdb", "astrolus.sqlite"), "SQLite format 3\0");
  return dir;
}

/** The real mongodb-memory-server launcher, with FerretDB stood in for: records what was started. */
function launchers(opts: { goInstalled: boolean }) {
  const started: Array<{ engine: string; dataDir: string | undefined }> = [];
  const engine = (name: "ferretdb"): StartedEngine => ({ engine: name, uri: "mongodb://127.0.0.1:1/", stop: async () => {} });
  const l: EngineLaunchers = {
    startMongo: defaultLaunchers.startMongo,
    ferretUnavailable: async () => (opts.goInstalled ? undefined : "Go is not installed, so FerretDB cannot be built"),
    startFerret: async (dataDir) => {
      started.push({ engine: "ferretdb", dataDir });
      return engine("ferretdb");
    },
  };
  return { launchers: l, started };
}

describe("choosing the embedded database engine", () => {
  const saved = { ...process.env };
  let downloadDir: string;
  let trap: Awaited<ReturnType<typeof downloadTrap>>;
  beforeAll(async () => {
    // No cached mongod and a download that cannot succeed: this machine without network.
    downloadDir = await mkdtemp(path.join(tmpdir(), "astrolus-mms-"));
    trap = await downloadTrap();
    process.env.MONGOMS_DOWNLOAD_DIR = downloadDir;
    process.env.MONGOMS_DOWNLOAD_URL = `https://127.0.0.1:${trap.port}/mongodb-linux-x86_64-debian12-8.2.6.tgz`;
    process.env.MONGOMS_MAX_RETRIES = "1"; // 0 would not even try once
    delete process.env.MONGOMS_SYSTEM_BINARY;
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    process.env = saved;
    trap.server.close();
    await rm(downloadDir, { recursive: true, force: true });
  });

  it("offline, falls back to FerretDB (its data beside MongoDB's) in one line: engine, why, cost; no stack trace", async () => {
    const { launchers: l, started } = launchers({ goInstalled: true });
    const logged: string[] = [];
    const log = (_: object, msg: string) => void logged.push(msg);
    const consoleWarn = vi.spyOn(console, "warn");
    const consoleError = vi.spyOn(console, "error");
    const dataDir = path.join(downloadDir, "new-folder");
    const before = trap.attempts();
    const engine = await startEmbeddedDatabase({ dataDir, logger: { info: log, warn: log }, launchers: l });
    expect(engine.engine).toBe("ferretdb");
    expect(started).toEqual([{ engine: "ferretdb", dataDir: path.join(dataDir, "ferretdb") }]);
    expect(trap.attempts()).toBeGreaterThan(before); // the download was tried, and failed
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^embedded database: FerretDB \(SQLite backend\), because no MongoDB binary could be had \(its download failed: .+\); costs: .*not for production$/);
    // mongodb-memory-server's own DownloadError stack goes to the console: it must not be printed.
    expect(consoleWarn).not.toHaveBeenCalled();
    expect(consoleError).not.toHaveBeenCalled();
  });

  it("reopens a folder with FerretDB's data with FerretDB, without a download attempt", async () => {
    const { launchers: l, started } = launchers({ goInstalled: true });
    const logged: string[] = [];
    const log = (_: object, msg: string) => void logged.push(msg);
    const dataDir = await dataFolder(downloadDir, "ferret-folder", ["ferretdb"]);
    const before = trap.attempts();
    const engine = await startEmbeddedDatabase({ dataDir, logger: { info: log, warn: log }, launchers: l });
    expect(engine.engine).toBe("ferretdb");
    expect(started).toEqual([{ engine: "ferretdb", dataDir: path.join(dataDir, "ferretdb") }]);
    expect(trap.attempts()).toBe(before);
    expect(logged).toEqual([expect.stringMatching(new RegExp(`^embedded database: FerretDB \\(SQLite backend\\), because ${dataDir} holds FerretDB's data \\(no MongoDB download tried\\); costs: `))]);
  });

  it("a folder with MongoDB's data is never swapped for an empty FerretDB when no mongod can be had", async () => {
    const { launchers: l, started } = launchers({ goInstalled: true });
    const dataDir = await dataFolder(downloadDir, "mongo-folder", ["mongodb"]);
    const failure = await startEmbeddedDatabase({ dataDir, logger: quiet, launchers: l }).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(EmbeddedDatabaseError);
    expect((failure as Error).message).toMatch(/embedded MongoDB could not start .* FerretDB is not started instead: it would open an empty database/);
    expect(started).toEqual([]);
  });

  it("an engine chosen against the folder's data is refused; a folder with both needs the choice", async () => {
    const { launchers: l, started } = launchers({ goInstalled: true });
    const ferretFolder = await dataFolder(downloadDir, "ferret-only", ["ferretdb"]);
    const refused = await startEmbeddedDatabase({ dataDir: ferretFolder, engine: "mongodb", logger: quiet, launchers: l }).catch((err: Error) => err);
    expect((refused as Error).message).toMatch(/^MONGODB_EMBEDDED_ENGINE=mongodb, but .* holds FerretDB's data: MongoDB would open an empty database there/);
    const both = await dataFolder(downloadDir, "both", ["mongodb", "ferretdb"]);
    const undecided = await startEmbeddedDatabase({ dataDir: both, logger: quiet, launchers: l }).catch((err: Error) => err);
    expect((undecided as Error).message).toMatch(/holds both MongoDB's and FerretDB's data.*MONGODB_EMBEDDED_ENGINE/);
    expect(started).toEqual([]);
    expect((await startEmbeddedDatabase({ dataDir: both, engine: "ferretdb", logger: quiet, launchers: l })).engine).toBe("ferretdb");
  });

  it("names the three ways out when neither a MongoDB binary nor Go can be had", async () => {
    const { launchers: l, started } = launchers({ goInstalled: false });
    const failure = await startEmbeddedDatabase({ dataDir: undefined, logger: quiet, launchers: l }).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(EmbeddedDatabaseError);
    const message = (failure as Error).message;
    expect(message).toMatch(/network access/);
    expect(message).toMatch(/MONGOMS_SYSTEM_BINARY/);
    expect(message).toMatch(/MONGODB_URI/);
    expect(message).toMatch(/install Go/);
    expect(message).toMatch(/Go is not installed/);
    expect(started).toEqual([]);
  });

  it("uses MongoDB when it starts, and never builds FerretDB then", async () => {
    const { launchers: l, started } = launchers({ goInstalled: true });
    const mongo: StartedEngine = { engine: "mongodb", uri: "mongodb://127.0.0.1:2/", stop: async () => {} };
    const engine = await startEmbeddedDatabase({ dataDir: undefined, logger: quiet, launchers: { ...l, startMongo: async () => mongo } });
    expect(engine).toBe(mongo);
    expect(started).toEqual([]);
  });

  it("MONGODB_EMBEDDED_ENGINE=mongodb reports the failed download instead of falling back", async () => {
    const { launchers: l, started } = launchers({ goInstalled: true });
    const failure = await startEmbeddedDatabase({ dataDir: undefined, logger: quiet, engine: "mongodb", launchers: l }).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(EmbeddedDatabaseError);
    expect((failure as Error).message).toMatch(/embedded MongoDB could not start/);
    expect(started).toEqual([]);
  });

  it("finds Go on PATH, and not on a PATH without it", async () => {
    expect(await findGo({ ...process.env, PATH: "/nonexistent" })).toBeUndefined();
    // The test database itself needs Go on a machine without MongoDB binaries, so it is here.
    expect(await findGo(process.env)).toBe("go");
  });
});
