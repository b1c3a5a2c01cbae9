import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterFixture } from "./ClusterFixture.js";
import { writeClusterDump } from "./writeClusterDump.js";

/** Writes `fixture` as a dump in a fresh temporary directory, runs `body` on it, then removes it. */
export const withClusterDump = async <A>(fixture: ClusterFixture, body: (directory: string) => Promise<A>): Promise<A> => {
  const directory = await mkdtemp(join(tmpdir(), "eks-dump-"));
  try {
    await writeClusterDump(fixture, directory);
    return await body(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
};
