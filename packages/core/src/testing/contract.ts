/**
 * Contract suites are plain data so the core needs no test framework: each case is a name
 * and an async function that throws on failure. Register them with any runner:
 *
 *   for (const c of dedupStoreContract(harness)) it(c.name, c.run)
 */
export interface ContractCase {
  readonly name: string;
  readonly run: () => Promise<void>;
}

export class ContractViolation extends Error {
  override readonly name = "ContractViolation";
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ContractViolation(message);
}

export const checkEqual = <A>(actual: A, expected: A, what: string): void => {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new ContractViolation(`${what}: expected ${e}, got ${a}`);
};

/** Runs `body` with a resource from `acquire`, releasing it even when `body` fails. */
export const withResource = async <R>(
  acquire: () => Promise<R & { readonly close?: () => Promise<void> }>,
  body: (resource: R) => Promise<void>
): Promise<void> => {
  const resource = await acquire();
  try {
    await body(resource);
  } finally {
    await resource.close?.();
  }
};
