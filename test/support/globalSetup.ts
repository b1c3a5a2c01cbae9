import { inCi, missingTools } from "./requiredTools.js";

/**
 * Runs once before any test file. In CI a missing Prometheus, Alertmanager or AWS CLI fails the
 * run here, with the install hint, instead of letting their tests skip unnoticed.
 */
export default function setup(): void {
  if (!inCi()) return;
  const missing = missingTools();
  if (missing.length === 0) return;
  throw new Error(
    `CI is set, so every test that needs an external program must run, but ${missing.length === 1 ? "this one is" : "these are"} missing:\n` +
      missing.map((t) => `  - ${t.name}: ${t.hint}`).join("\n") +
      "\n.ci/run installs them; moto_server alone may be missing (its tests skip, and the summary says so)."
  );
}
