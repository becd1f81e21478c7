import { mkdir } from "node:fs/promises";
import type { StartedEngine } from "./common.js";

/**
 * A real mongod from mongodb-memory-server: the binary is used from its cache, from
 * MONGOMS_SYSTEM_BINARY, or downloaded on first use. Without `dataDir` the data is temporary.
 */
export async function startMongoMemory(dataDir: string | undefined): Promise<StartedEngine> {
  const { MongoBinary, MongoMemoryServer } = await import("mongodb-memory-server");
  // The binary first, on its own: a failed download is then our one-line reason, where
  // MongoMemoryServer.create would print its whole DownloadError stack to the console.
  await MongoBinary.getPath();
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const server = await MongoMemoryServer.create({
    instance: { ip: "127.0.0.1", ...(dataDir ? { dbPath: dataDir, storageEngine: "wiredTiger" } : {}) },
  });
  return {
    engine: "mongodb",
    uri: server.getUri(),
    async stop() {
      await server.stop({ doCleanup: !dataDir });
    },
  };
}
