import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defaultLaunchers,
  EmbeddedDatabaseError,
  startEmbeddedDatabase,
  type EngineLaunchers,
  type StartedEngine,
} from "../../src/db/embedded/index.js";
import { findGo } from "../../src/db/embedded/ferretdb.js";

const quiet = { info: () => {}, warn: () => {} };

/** A loopback port nothing listens on: a download from it is refused at once, as offline. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
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
  beforeAll(async () => {
    // No cached mongod and a download that cannot succeed: this machine without network.
    downloadDir = await mkdtemp(path.join(tmpdir(), "astrolus-mms-"));
    process.env.MONGOMS_DOWNLOAD_DIR = downloadDir;
    process.env.MONGOMS_DOWNLOAD_URL = `http://127.0.0.1:${await closedPort()}/mongodb.tgz`;
    process.env.MONGOMS_MAX_RETRIES = "0";
    delete process.env.MONGOMS_SYSTEM_BINARY;
  });
  afterAll(async () => {
    process.env = saved;
    await rm(downloadDir, { recursive: true, force: true });
  });

  it("falls back to FerretDB, with its data beside MongoDB's, when no MongoDB binary can be downloaded and Go is there", async () => {
    const { launchers: l, started } = launchers({ goInstalled: true });
    const logged: string[] = [];
    const log = (_: object, msg: string) => void logged.push(msg);
    const engine = await startEmbeddedDatabase({ dataDir: "/srv/astrolus/data", logger: { info: log, warn: log }, launchers: l });
    expect(engine.engine).toBe("ferretdb");
    expect(started).toEqual([{ engine: "ferretdb", dataDir: path.join("/srv/astrolus/data", "ferretdb") }]);
    // One line says the download failed, one which engine runs.
    expect(logged).toContain("mongodb-memory-server could not start a MongoDB; falling back to FerretDB");
    expect(logged).toContain("embedded database: FerretDB (SQLite backend)");
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
