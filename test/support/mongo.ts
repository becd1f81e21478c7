import { randomBytes } from "node:crypto";
import { inject } from "vitest";

/** A MongoDB URI naming a fresh database, so test files never see each other's documents. */
export function testDatabaseUri(label = "t"): string {
  const base = new URL(inject("mongoUri"));
  base.pathname = `/astrolus_${label.replace(/[^a-z0-9]/gi, "").slice(0, 20)}_${randomBytes(4).toString("hex")}`;
  return base.toString();
}
