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

export async function buildStudio(outDir = STUDIO_OUT_DIR) {
  const result = await build({
    entryPoints: [join(ROOT, "studio/src/main.tsx")],
    bundle: true,
    format: "esm",
    target: ["es2020", "safari15", "chrome90"],
    minify: true,
    legalComments: "none",
    charset: "utf8",
    jsx: "automatic",
    jsxImportSource: "preact",
    entryNames: "studio-[hash]",
    define: {
      BUILT_TEXTS: JSON.stringify(Object.fromEntries(BUILT_TEXTS.map((id) => [id, ["en", "ru"].map((l) => fluentLine(l, id)).join(" · ")]))),
      "process.env.NODE_ENV": '"production"',
    },
    write: false,
    outdir: join(outDir, "assets"),
    logLevel: "warning",
  });
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "assets"), { recursive: true });
  const names: Record<string, string> = {};
  const sizes: Record<string, { bytes: number; gzip: number }> = {};
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    writeFileSync(file.path, file.contents);
    const kind = name.endsWith(".css") ? "css" : "js";
    names[kind] = name;
    sizes[kind] = { bytes: file.contents.length, gzip: gzipSync(file.contents, { level: 9 }).length };
  }
  if (!names.js || !names.css) throw new Error("esbuild produced no script or no stylesheet");
  // The icon a browser asks for, served like the other assets (a missing favicon is a 404 in the console).
  const icon = readFileSync(join(ROOT, "studio/icon.svg"));
  names.icon = `icon-${createHash("sha256").update(icon).digest("hex").slice(0, 8)}.svg`;
  writeFileSync(join(outDir, "assets", names.icon), icon);
  const html = readFileSync(join(ROOT, "studio/index.html"), "utf8").replace("{{js}}", names.js).replace("{{css}}", names.css).replace("{{icon}}", names.icon);
  writeFileSync(join(outDir, "index.html"), html);
  return { outDir, files: names, sizes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { sizes } = await buildStudio();
  console.log(`studio page: ${sizes.js!.bytes} B of JavaScript (${sizes.js!.gzip} B gzip), ${sizes.css!.bytes} B of CSS (${sizes.css!.gzip} B gzip) in studio/dist`);
}
