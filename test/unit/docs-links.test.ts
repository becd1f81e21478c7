/**
 * The README and docs/ link to each other by relative paths and #anchors: every one must lead to a
 * file that exists and, with an anchor, to a heading in it (GitHub's anchor rules).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/child-app.js";

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (!heading) continue;
    const base = heading[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n ? `${base}-${n}` : base);
  }
  return anchors;
}

/** Markdown links and images outside code, as [text](target). */
export function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

const pages = ["README.md", ...readdirSync(join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

describe("the README and docs/", () => {
  it("has a README a newcomer reads in a minute, with every section moved into docs/", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    expect(readme.split("\n").length).toBeLessThan(120);
    expect(readme).toContain("npm install && npm start");
    expect(readme).toContain("npm install && npm test");
    expect(pages.length).toBeGreaterThan(5);
  });

  it.each(pages)("%s: every relative link and #anchor resolves", (page) => {
    const text = readFileSync(join(REPO_ROOT, page), "utf8");
    const broken: string[] = [];
    for (const target of linksOf(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, tg:
      const [path, anchor] = target.split("#") as [string, string | undefined];
      const file = path ? join(dirname(join(REPO_ROOT, page)), decodeURIComponent(path)) : join(REPO_ROOT, page);
      if (!existsSync(file)) {
        broken.push(`${target} (no file ${relative(REPO_ROOT, file)})`);
        continue;
      }
      if (anchor !== undefined && file.endsWith(".md") && !anchorsOf(readFileSync(file, "utf8")).has(decodeURIComponent(anchor))) {
        broken.push(`${target} (no heading #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("the checker itself finds a broken anchor and a missing file", () => {
    expect(anchorsOf("# Reading `/metrics`\n## A b\n## A b")).toEqual(new Set(["reading-metrics", "a-b", "a-b-1"]));
    expect(linksOf("see [x](a.md#b) and `[y](c.md)`")).toEqual(["a.md#b"]);
  });
});
