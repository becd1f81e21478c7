import { spawn, execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { packageRoot, type EmbeddedLogger, type StartedEngine } from "./common.js";

const run = promisify(execFile);

/** The Go program that embeds FerretDB 1.24 with its SQLite backend. */
export const FERRETDB_SOURCE_DIR = path.join(packageRoot(), "src/db/embedded/ferretdb-go");
const SOURCE_FILES = ["main.go", "go.mod", "go.sum"];
const CACHE_DIR = path.join(packageRoot(), "node_modules/.cache/astrolus");
const BUILD_PROGRESS_EVERY_MS = 10_000;

/** The Go toolchain on PATH, or undefined. */
export async function findGo(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  try {
    const { stdout } = await run("go", ["env", "GOROOT"], { env, timeout: 15_000 });
    return stdout.trim() ? "go" : undefined;
  } catch {
    return undefined;
  }
}

/** Where the binary for the current sources lives: a new source means a new name, so no stale build runs. */
export function ferretDbBinaryPath(): string {
  const hash = createHash("sha256");
  for (const file of SOURCE_FILES) hash.update(readFileSync(path.join(FERRETDB_SOURCE_DIR, file)));
  return path.join(CACHE_DIR, `ferretdb-${hash.digest("hex").slice(0, 16)}`);
}

/**
 * Builds the FerretDB binary once and caches it; later calls return at once. Concurrent builds
 * (a test run and `npm start` side by side) each write their own file and rename it into place.
 */
export async function ensureFerretDbBinary(logger: EmbeddedLogger): Promise<string> {
  const binary = ferretDbBinaryPath();
  if (existsSync(binary)) return binary;
  await mkdir(CACHE_DIR, { recursive: true });
  const partial = `${binary}.${process.pid}.partial`;
  const started = Date.now();
  logger.info({ binary: path.relative(packageRoot(), binary) }, "building FerretDB with Go (first run only; about 75 s on 2 cores)");
  const ticker = setInterval(
    () => logger.info({ seconds: Math.round((Date.now() - started) / 1000) }, "still building FerretDB…"),
    BUILD_PROGRESS_EVERY_MS,
  );
  try {
    await run("go", ["build", "-trimpath", "-o", partial, "."], { cwd: FERRETDB_SOURCE_DIR, maxBuffer: 16 * 1024 * 1024 });
    await rename(partial, binary);
  } catch (err) {
    await rm(partial, { force: true });
    const stderr = String((err as { stderr?: string }).stderr ?? "").trim().split("\n").slice(-5).join("\n");
    throw new Error(`building FerretDB failed: ${stderr || (err as Error).message}`);
  } finally {
    clearInterval(ticker);
  }
  logger.info({ seconds: Math.round((Date.now() - started) / 1000) }, "FerretDB built and cached");
  return binary;
}

/**
 * Starts FerretDB on a free loopback port with its SQLite files in `dataDir`. It exits by itself
 * when this process goes away (its standard input closes), even after a SIGKILL.
 */
export async function startFerretDb(binary: string, dataDir: string): Promise<StartedEngine> {
  await mkdir(dataDir, { recursive: true });
  const child = spawn(binary, ["-data", dataDir, "-exit-with-stdin"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => resolve(line.trim()));
    child.once("error", reject);
    void exited.then((code) => reject(new Error(`FerretDB exited with code ${code}: ${stderr.trim()}`)));
  });
  const uri = await Promise.race([
    firstLine,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("FerretDB did not start within 30 s")), 30_000).unref()),
  ]).catch((err: Error) => {
    child.kill("SIGKILL");
    throw err;
  });
  return {
    engine: "ferretdb",
    uri,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
