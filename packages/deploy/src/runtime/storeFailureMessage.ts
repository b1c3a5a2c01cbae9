import { EmbeddedStoreError } from "@sre-on-call/adapters";

/**
 * One line saying why the embedded store in `directory` could not be opened and how to fix it,
 * in the terms of config.yaml: the way out of a held lock, a directory that may not be written
 * or a full disk is also to keep the store elsewhere.
 */
export const storeFailureMessage = (error: unknown, directory: string): string => {
  if (!(error instanceof EmbeddedStoreError)) {
    const text = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
    return `cannot open the store in ${directory}: ${text}`;
  }
  const elsewhere = error.reason === "locked" || error.reason === "unwritable" || error.reason === "disk_full";
  return `cannot open the store in ${error.directory}: ${error.detail}${elsewhere ? "; to keep the store elsewhere, set store.directory in config.yaml" : ""}`;
};

/** What the store did by itself that an operator should know (a stale lock removed, a directory it could not make private), for a CLI command's stderr. */
export const storeWarnings =
  (io: { readonly stderr: (text: string) => void }, command: string) =>
  (level: "info" | "warn" | "error", message: string): void => {
    if (level !== "info") io.stderr(`sre-on-call ${command}: ${message}\n`);
  };
