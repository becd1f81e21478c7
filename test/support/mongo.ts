import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import mongoose, { type Connection } from "mongoose";
import { createModels, type Models } from "../../src/db/models.js";

/** A MongoDB URI naming a fresh database, so test files never see each other's documents. */
export function testDatabaseUri(label = "t"): string {
  const base = new URL(inject("mongoUri"));
  base.pathname = `/astrolus_${label.replace(/[^a-z0-9]/gi, "").slice(0, 20)}_${randomBytes(4).toString("hex")}`;
  return base.toString();
}

/**
 * The test's own view of a database the app under test uses: phases, leases and the ledger as the
 * app leaves them, through a connection of its own (not the app's, which a test may cut or kill).
 */
export async function openDatabaseView(uri: string): Promise<Connection & { models: Models }> {
  const connection = await mongoose.createConnection(uri, { autoIndex: false, serverSelectionTimeoutMS: 5_000 }).asPromise();
  return Object.assign(connection, { models: createModels(connection) });
}

/**
 * Two connections to one fresh database, standing for two instances, open for the tests of the
 * enclosing file or describe block: `instances[i]` is filled once they are.
 */
export function useTwoInstances(label: string): Models[] {
  const instances: Models[] = [];
  let connections: Connection[] = [];
  beforeAll(async () => {
    const uri = testDatabaseUri(label);
    connections = [mongoose.createConnection(uri, { autoIndex: false }), mongoose.createConnection(uri, { autoIndex: false })];
    await Promise.all(connections.map((c) => c.asPromise()));
    instances.push(...connections.map((c) => createModels(c)));
    await Promise.all(Object.values(instances[0]!).map((m) => m.createIndexes()));
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
  });
  return instances;
}
