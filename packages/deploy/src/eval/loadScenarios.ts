import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { type AlertContext, parseAlertPayload, parseChatAlert } from "@sre-on-call/core";
import { Effect, Result, Schema } from "effect";
import { decodeExpectation, type Expectation } from "./Expectation.js";

/** A scenario directory that cannot be evaluated, or a scenarios root that cannot be read. */
export class EvalError extends Schema.TaggedError<EvalError>()("EvalError", {
  scenario: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `scenario ${this.scenario}: ${this.reason}`;
  }
}

/** The alert as the scenario stores it; turned into an `AlertContext` per run (`alertOf`). */
export type ScenarioAlert = { readonly kind: "payload"; readonly payload: unknown } | { readonly kind: "text"; readonly text: string; readonly postedAt: number };

export interface EvalScenario {
  readonly name: string;
  readonly directory: string;
  readonly alert: ScenarioAlert;
  readonly expected: Expectation;
  /** `cluster-dump/`: a `kubectl cluster-info dump --output-directory` tree. */
  readonly clusterDump?: string;
  /** `logs/`: log exports, one log group per file (what `investigate --logs` reads). */
  readonly logs?: string;
  /** Present data the evaluation does not read (e.g. `metrics/`), for the report's notes. */
  readonly ignored: ReadonlyArray<string>;
}

export interface AlertOptions {
  readonly now: number;
  readonly windowMinutes?: number;
  readonly deadlineMs?: number;
}

/** The scenario's firing alert, as `investigate` would parse it. */
export const alertOf = (scenario: Pick<EvalScenario, "name" | "alert">, options: AlertOptions): Result.Result<AlertContext, EvalError> => {
  const common = {
    now: options.now,
    channelId: "eval",
    messageId: scenario.name,
    ...(options.windowMinutes !== undefined ? { windowMinutes: options.windowMinutes } : {}),
    ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {})
  };
  const fail = (reason: string) => Result.fail(new EvalError({ scenario: scenario.name, reason }));
  if (scenario.alert.kind === "text") {
    return Result.succeed(parseChatAlert({ source: "cli", text: scenario.alert.text, timestamp: scenario.alert.postedAt, ...common }));
  }
  const parsed = parseAlertPayload(scenario.alert.payload, common);
  if (Result.isFailure(parsed)) return fail(`alert.json: ${parsed.failure.message}`);
  const firing = parsed.success.alerts.find((a) => a.status === "firing");
  return firing === undefined ? fail("alert.json has no firing alert") : Result.succeed(firing);
};

const statOf = (path: string) => Effect.promise(() => stat(path).catch(() => undefined));

const readText = (scenario: string, path: string) =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (e) => new EvalError({ scenario, reason: `cannot read ${basename(path)} (${(e as NodeJS.ErrnoException).code ?? String(e)})` })
  });

const parseJson = (scenario: string, file: string, text: string) =>
  Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: (e) => new EvalError({ scenario, reason: `${file} is not JSON (${e instanceof Error ? e.message : String(e)})` })
  });

/**
 * Reads one scenario directory: `expected.json`, `alert.json` or `alert.txt`, and whichever of
 * `cluster-dump/` and `logs/` it has. Every problem is an `EvalError` naming the scenario.
 */
export const loadScenario = (directory: string): Effect.Effect<EvalScenario, EvalError> =>
  Effect.gen(function* () {
    const name = basename(directory);
    const fail = (reason: string) => Effect.fail(new EvalError({ scenario: name, reason }));
    const expectedPath = join(directory, "expected.json");
    if ((yield* statOf(expectedPath)) === undefined) return yield* fail("has no expected.json");
    const decoded = decodeExpectation(yield* parseJson(name, "expected.json", yield* readText(name, expectedPath)));
    if (Result.isFailure(decoded)) return yield* fail(decoded.failure.message);
    const expected = decoded.success;
    if (expected.noHighConfidence !== true && expected.rootCause.requiredTerms.every((t) => t.split("|").every((a) => a.trim() === ""))) {
      return yield* fail('expected.json: rootCause.requiredTerms needs at least one non-empty term (or "noHighConfidence": true)');
    }

    let alert: ScenarioAlert;
    const jsonPath = join(directory, "alert.json");
    const textPath = join(directory, "alert.txt");
    if ((yield* statOf(jsonPath)) !== undefined) {
      alert = { kind: "payload", payload: yield* parseJson(name, "alert.json", yield* readText(name, jsonPath)) };
    } else if ((yield* statOf(textPath)) !== undefined) {
      const text = (yield* readText(name, textPath)).trim();
      if (text === "") return yield* fail("alert.txt is empty");
      const postedAt = expected.alertTime !== undefined ? Date.parse(expected.alertTime) : Number.NaN;
      if (!Number.isFinite(postedAt)) return yield* fail('alert.txt needs "alertTime" (ISO 8601) in expected.json: when the message was posted');
      alert = { kind: "text", text, postedAt };
    } else return yield* fail("has neither alert.json nor alert.txt");
    // Fail now, not in the middle of a run, when the payload is not an alert.
    const checked = alertOf({ name, alert }, { now: Date.now() });
    if (Result.isFailure(checked)) return yield* Effect.fail(checked.failure);

    const dir = async (sub: string) => ((await stat(join(directory, sub)).catch(() => undefined))?.isDirectory() === true ? join(directory, sub) : undefined);
    const clusterDump = yield* Effect.promise(() => dir("cluster-dump"));
    const logs = yield* Effect.promise(() => dir("logs"));
    const metrics = yield* Effect.promise(() => dir("metrics"));
    return {
      name,
      directory,
      alert,
      expected,
      ...(clusterDump !== undefined ? { clusterDump } : {}),
      ...(logs !== undefined ? { logs } : {}),
      ignored: metrics !== undefined ? ["metrics/"] : []
    };
  });

/** Every scenario under `root` (each subdirectory with an expected.json), by name. */
export const loadScenarios = (root: string): Effect.Effect<ReadonlyArray<EvalScenario>, EvalError> =>
  Effect.gen(function* () {
    const entries = yield* Effect.tryPromise({
      try: () => readdir(root, { withFileTypes: true }),
      catch: (e) => new EvalError({ scenario: root, reason: `cannot list the scenarios (${(e as NodeJS.ErrnoException).code ?? String(e)})` })
    });
    // Symbolic links count: a scenario set is often assembled from links to other directories.
    const names = entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name).sort();
    const withExpectation: Array<string> = [];
    for (const d of names) {
      if ((yield* statOf(join(root, d)))?.isDirectory() === true && (yield* statOf(join(root, d, "expected.json"))) !== undefined) withExpectation.push(d);
    }
    if (withExpectation.length === 0) return yield* Effect.fail(new EvalError({ scenario: root, reason: "no scenario in it (a scenario is a directory with an expected.json)" }));
    return yield* Effect.forEach(withExpectation, (d) => loadScenario(join(root, d)));
  });
