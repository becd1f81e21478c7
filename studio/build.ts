/**
 * Builds the studio Mini App's page into studio/dist (npm run build runs it after tsc): one
 * minified ES module and one stylesheet, named by a hash of their content, and index.html that
 * loads them. esbuild bundles preact and Telegram's Mini App SDK in; nothing is fetched at run time.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// The page has its own output folder: tsc owns dist/, this build owns studio/dist/, and neither
// deletes what the other wrote (dist/studio/ is the compiled server module of the same name).
export const STUDIO_OUT_DIR = join(ROOT, "studio/dist");

/** Texts the page may need before the API tells it the user's language: both languages are built in. */
const BUILT_TEXTS = ["studio-open-in-telegram", "studio-expired", "studio-failed", "studio-retry"];

/** One single-line message of a Fluent file, for the text the page shows before it knows the user's language. */
function fluentLine(locale: string, id: string) {
  const source = readFileSync(join(ROOT, "locales", `${locale}.ftl`), "utf8");
  const line = new RegExp(`^${id} = (.+)$`, "m").exec(source)?.[1];
  if (!line) throw new Error(`locales/${locale}.ftl has no single-line message ${id}`);
  return line;
}

/** One bundle: a minified ES module (and its stylesheet, if it imports CSS), named by a hash of its content. */
function bundle(entry: string, entryNames: string, outDir: string, define: Record<string, string>) {
  return build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    format: "esm",
    target: ["es2020", "safari15", "chrome90"],
    minify: true,
    legalComments: "none",
    charset: "utf8",
    jsx: "automatic",
    jsxImportSource: "preact",
    entryNames,
    define: { "process.env.NODE_ENV": '"production"', ...define },
    write: false,
    outdir: join(outDir, "assets"),
    logLevel: "warning",
  });
}

type Sizes = Record<string, { bytes: number; gzip: number }>;

/** Writes a bundle's files; their names and sizes by kind (js, css). */
function writeBundle(files: Array<{ path: string; contents: Uint8Array }>) {
  const names: Record<string, string> = {};
  const sizes: Sizes = {};
  for (const file of files) {
    const name = basename(file.path);
    writeFileSync(file.path, file.contents);
    const kind = name.endsWith(".css") ? "css" : "js";
    names[kind] = name;
    sizes[kind] = { bytes: file.contents.length, gzip: gzipSync(file.contents, { level: 9 }).length };
  }
  return { names, sizes };
}

/**
 * The page, and the operator's dashboard beside it: a bundle of its own (uPlot and its stylesheet),
 * which the page loads only when an admin opens the Dashboard tab, so a seller's page keeps its weight.
 */
export async function buildStudio(outDir = STUDIO_OUT_DIR) {
  const board = await bundle("studio/src/dashboard.ts", "dashboard-[hash]", outDir, {});
  const page = await bundle("studio/src/main.tsx", "studio-[hash]", outDir, {
    BUILT_TEXTS: JSON.stringify(Object.fromEntries(BUILT_TEXTS.map((id) => [id, ["en", "ru"].map((l) => fluentLine(l, id)).join(" · ")]))),
    DASHBOARD_ASSETS: JSON.stringify(Object.fromEntries(board.outputFiles.map((f) => [f.path.endsWith(".css") ? "css" : "js", basename(f.path)]))),
  });
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "assets"), { recursive: true });
  const dashboard = writeBundle(board.outputFiles);
  const { names, sizes } = writeBundle(page.outputFiles);
  if (!names.js || !names.css || !dashboard.names.js || !dashboard.names.css) throw new Error("esbuild produced no script or no stylesheet");
  // The icon a browser asks for, served like the other assets (a missing favicon is a 404 in the console).
  const icon = readFileSync(join(ROOT, "studio/icon.svg"));
  names.icon = `icon-${createHash("sha256").update(icon).digest("hex").slice(0, 8)}.svg`;
  writeFileSync(join(outDir, "assets", names.icon), icon);
  const html = readFileSync(join(ROOT, "studio/index.html"), "utf8").replace("{{js}}", names.js).replace("{{css}}", names.css).replace("{{icon}}", names.icon);
  writeFileSync(join(outDir, "index.html"), html);
  return { outDir, files: names, sizes, dashboard: dashboard.sizes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { sizes, dashboard } = await buildStudio();
  const weight = (s: Sizes) => `${s.js!.bytes} B of JavaScript (${s.js!.gzip} B gzip), ${s.css!.bytes} B of CSS (${s.css!.gzip} B gzip)`;
  console.log(`studio page: ${weight(sizes)} in studio/dist; the admins' dashboard, loaded on demand: ${weight(dashboard)}`);
}
