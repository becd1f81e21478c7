/**
 * The last step of `npm run build`: every relative import in dist/ (static, re-export or a literal
 * dynamic import) must name a file that exists. A build step that deletes or misplaces compiled
 * code then fails the build in a second, instead of the first `npm start` or the image.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;

function* scripts(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* scripts(path);
    else if (/\.[cm]?js$/.test(entry.name)) yield path;
  }
}

/** "file: specifier" for each relative import under `distDir` that names no file. */
export function unresolvedImports(distDir: string): string[] {
  const missing: string[] = [];
  for (const file of scripts(distDir)) {
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(IMPORT)) {
      if (!existsSync(resolve(dirname(file), specifier!))) missing.push(`${relative(distDir, file)}: ${specifier}`);
    }
  }
  return missing;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const distDir = resolve(process.argv[2] ?? "dist");
  if (!existsSync(join(distDir, "main.js"))) {
    process.stderr.write(`${distDir}/main.js is missing: the build did not compile the bot\n`);
    process.exit(1);
  }
  const missing = unresolvedImports(distDir);
  if (missing.length) {
    process.stderr.write(`Relative imports in ${relative(process.cwd(), distDir) || distDir} that name no file:\n${missing.map((m) => `  ${m}`).join("\n")}\n`);
    process.exit(1);
  }
  console.log(`dist: every relative import resolves (${[...scripts(distDir)].length} files)`);
}
