import type { TestProject } from "vitest/node";
import { startEmbeddedDatabase, type EnginePreference } from "../../src/db/embedded/index.js";
import { buildStudio } from "../../studio/build.js";

/** The launcher's progress and choice, on stderr: a first offline run builds FerretDB for a minute or so. */
const consoleLogger = {
  info: (obj: object, msg: string) => process.stderr.write(`[test database] ${msg} ${JSON.stringify(obj)}\n`),
  warn: (obj: object, msg: string) => process.stderr.write(`[test database] ${msg} ${JSON.stringify(obj)}\n`),
};

/**
 * One MongoDB-compatible server for the whole run: MONGODB_TEST_URI when set, otherwise the same
 * embedded database `npm start` uses without MONGODB_URI (a real mongod when mongodb-memory-server
 * can get one, else FerretDB built from the bundled source), with throw-away data. Each test file
 * takes its own database through `testDatabaseUri()` in ./mongo.ts.
 */
export default async function setup(project: TestProject) {
  // The studio's page as `npm run build` makes it, so the app under test serves the current source.
  await buildStudio();
  let uri = process.env.MONGODB_TEST_URI;
  let stop: (() => Promise<unknown>) | undefined;
  if (!uri) {
    const engine = (process.env.MONGODB_EMBEDDED_ENGINE ?? "auto") as EnginePreference;
    const server = await startEmbeddedDatabase({ dataDir: undefined, logger: consoleLogger, engine });
    uri = server.uri;
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
