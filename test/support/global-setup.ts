import type { TestProject } from "vitest/node";

/**
 * One MongoDB-compatible server for the whole run: MONGODB_TEST_URI when set (CI points it at
 * FerretDB), otherwise a mongodb-memory-server instance. Each test file takes its own database
 * through `testDatabaseUri()` in ./mongo.ts.
 */
export default async function setup(project: TestProject) {
  let uri = process.env.MONGODB_TEST_URI;
  let stop: (() => Promise<unknown>) | undefined;
  if (!uri) {
    const { MongoMemoryServer } = await import("mongodb-memory-server");
    const server = await MongoMemoryServer.create();
    uri = server.getUri();
    stop = () => server.stop();
  }
  project.provide("mongoUri", uri);
  return async () => {
    await stop?.();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    mongoUri: string;
  }
}
