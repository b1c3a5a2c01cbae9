import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EmbeddedStore } from "./EmbeddedStore.js";
import { EmbeddedStoreError } from "./EmbeddedStoreError.js";

const engine = fileURLToPath(new URL("./EmbeddedStore.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../../../", import.meta.url));

let directory: string;
const children: Array<ChildProcess> = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "embedded-store-int-"));
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await rm(directory, { recursive: true, force: true });
});

/** Runs `body` in a separate Node process with `store` opened on the test's directory; its stdout comes back line by line. */
const runInChild = (body: string) => {
  const script = `
    const { EmbeddedStore } = await import(${JSON.stringify(engine)});
    const store = await EmbeddedStore.open({ directory: ${JSON.stringify(directory)}, compactEveryMs: 0, compactAfterBytes: 64 * 1024 });
    ${body}
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const waitFor = (predicate: (line: string) => boolean, seen: Array<string> = []) =>
    new Promise<Array<string>>((resolve, reject) => {
      const onLine = (line: string) => {
        seen.push(line);
        if (predicate(line)) {
          lines.off("line", onLine);
          resolve(seen);
        }
      };
      lines.on("line", onLine);
      void exited.then(() => reject(new Error(`child exited early: ${stderr}`)));
    });
  const kill = async () => {
    child.kill("SIGKILL");
    await exited;
  };
  return { child, waitFor, kill };
};

describe("EmbeddedStore across processes", () => {
  it("keeps every acknowledged write when the writing process is killed mid-stream", async () => {
    const writer = runInChild(`
      const t = store.table("t");
      for (let i = 0; ; i += 8) {
        await Promise.all(Array.from({ length: 8 }, (_, j) => t.put("k" + (i + j), { i: i + j, pad: "x".repeat(200) }).then(() => console.log("acked k" + (i + j)))));
      }
    `);
    const acked = await writer.waitFor((line) => line === "acked k400");
    await writer.kill();

    const store = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
    try {
      const t = store.table<{ i: number }>("t");
      for (const line of acked) {
        const key = line.replace("acked ", "");
        expect(await t.get(key), key).toMatchObject({ i: Number(key.slice(1)) });
      }
      expect(await t.count()).toBeGreaterThanOrEqual(acked.length);
    } finally {
      await store.close();
    }
  });

  it("refuses to open a directory a live process holds, naming its pid, and opens it once that process is gone", async () => {
    const holder = runInChild(`console.log("ready"); setInterval(() => {}, 1000);`);
    await holder.waitFor((line) => line === "ready");

    const error = await EmbeddedStore.open({ directory, compactEveryMs: 0 }).then(
      async (s) => {
        await s.close();
        return undefined;
      },
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(EmbeddedStoreError);
    expect((error as EmbeddedStoreError).reason).toBe("locked");
    expect((error as EmbeddedStoreError).message).toContain(`process ${holder.child.pid}`);

    await holder.kill();
    const store = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
    await store.close();
  });
});
