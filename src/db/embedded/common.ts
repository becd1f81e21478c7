import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type EngineName = "mongodb" | "ferretdb";

/** A database server this process started, and how to reach and stop it. */
export interface StartedEngine {
  engine: EngineName;
  uri: string;
  stop(): Promise<void>;
}

/** Just what the launchers need from a logger: pino's fits, and so does the test setup's console one. */
export interface EmbeddedLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

let root: string | undefined;
/** The folder with this package's package.json, whether the code runs from src/ (tsx) or dist/. */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("package.json not found above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return (root = dir);
}
