import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { paymentsOutageAlert, paymentsOutageFixture } from "./paymentsOutage.js";
import { writeClusterDump } from "./writeClusterDump.js";

/** Regenerates `examples/payments-outage` (the dump and alert.json) from the fixture. */
export const writePaymentsOutageExample = async (directory: string): Promise<void> => {
  await rm(join(directory, "cluster-dump"), { recursive: true, force: true });
  await writeClusterDump(paymentsOutageFixture(), join(directory, "cluster-dump"));
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, "alert.json"), `${JSON.stringify(paymentsOutageAlert(), null, 2)}\n`);
};
