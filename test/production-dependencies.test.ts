import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES = readdirSync(join(ROOT, "packages"));

/** Every TypeScript file under a directory, tests (`*.test.ts`) or the code that ships. */
const sources = (dir: string, tests: boolean): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(path, tests);
    return /\.ts$/.test(e.name) && /\.test\.ts$/.test(e.name) === tests ? [path] : [];
  });

const importsOf = (code: string): Set<string> =>
  new Set(
    [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"'./][^"']*)["']/g)].map((m) => {
      const spec = m[1]!;
      return spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
    })
  );

describe("production dependencies", () => {
  // A library only tests import is installed (and audited, and shipped in the image) for nothing.
  it.each(PACKAGES)("%s: no entry of dependencies is imported by tests alone (those are devDependencies)", (name) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "packages", name, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    const importedBy = (tests: boolean) => new Set(sources(join(ROOT, "packages", name, "src"), tests).flatMap((f) => [...importsOf(readFileSync(f, "utf8"))]));
    const shipped = importedBy(false);
    const tested = importedBy(true);
    expect(Object.keys(pkg.dependencies ?? {}).filter((dep) => tested.has(dep) && !shipped.has(dep))).toEqual([]);
  });
});
