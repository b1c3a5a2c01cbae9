import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDirectoryLogSource } from "./DirectoryLogSource.js";

const T = Date.parse("2026-04-02T09:30:00Z");
const window = { start: T - 3_600_000, end: T + 60_000, deadline: Date.now() + 10_000 };

describe("log directory: only files inside it are read", () => {
  let root: string;
  let logs: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "cwl-dir-"));
    logs = join(root, "logs");
    const outside = join(root, "outside");
    await mkdir(join(logs, "nested"), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(join(logs, "app.log"), "2026-04-02T09:20:00.000Z ERROR app failed\n");
    await writeFile(join(outside, "secret.log"), "2026-04-02T09:20:00.000Z ERROR SECRET outside\n");
    // A link to a file outside, a link to a directory outside, and a link that stays inside.
    await symlink(join(outside, "secret.log"), join(logs, "evil.log"));
    await symlink(outside, join(logs, "linked"));
    await symlink(join(logs, "app.log"), join(logs, "nested", "alias.log"));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("refuses links that resolve outside, reporting them; reads links that stay inside", async () => {
    const source = makeDirectoryLogSource(logs);
    const listing = await Effect.runPromise(source.listGroups({ prefixes: [], fullListing: true, deadline: window.deadline }));
    expect(listing.groups.map((g) => g.name).sort()).toEqual(["/nested/alias", "app"]);
    const refused = listing.gaps.filter((g) => g.detail.includes("outside the log directory"));
    expect(refused.map((g) => g.operation).sort()).toEqual(["read evil.log", "read linked"]);
    expect(JSON.stringify(listing)).not.toContain("SECRET");
  });

  it("log group names from an alert or a model are only compared with the files' names, never opened", async () => {
    const source = makeDirectoryLogSource(logs);
    const groups = ["evil", "linked/secret", "../outside/secret", join(root, "outside", "secret.log"), "/etc/passwd", "app\u0000", "..%2Foutside%2Fsecret"];
    const search = await Effect.runPromise(source.searchErrors({ groups, ...window }));
    expect(search.lines).toEqual([]);
    const app = await Effect.runPromise(source.searchErrors({ groups: ["app"], ...window }));
    expect(app.lines.map((l) => l.message)).toEqual(["2026-04-02T09:20:00.000Z ERROR app failed"]);
  });
});
