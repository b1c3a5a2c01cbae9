import {
  type AlertContext,
  type Experiment,
  type ExperimentStoreShape,
  type InvestigationReport,
  redactSecrets,
  summarizeRun,
  type Variant,
  type VariantRole,
  type VariantRun
} from "@sre-on-call/core";
import { Cause, Effect, Exit, Option } from "effect";

/** What running one variant on an alert produced. */
export interface VariantResult {
  readonly report: InvestigationReport;
  readonly latencyMs: number;
  readonly tokens: { readonly input: number; readonly output: number };
  readonly costUsd: number;
}

export interface ExperimentRunnerDeps {
  readonly store: ExperimentStoreShape;
  /** Investigates the alert with the variant's overrides applied. */
  readonly runVariant: (variant: Variant, role: VariantRole, alert: AlertContext) => Effect.Effect<VariantResult, unknown>;
  /** Posts a (labelled) report in the alert's thread; returns a reference to the message. */
  readonly post: (report: InvestigationReport, role: VariantRole) => Effect.Effect<string | undefined, unknown>;
  /** Keeps a report that is not posted (the treatment under `post-control`); returns an archive reference. */
  readonly archive: (report: InvestigationReport, role: VariantRole) => Effect.Effect<string | undefined, unknown>;
  /** Epoch milliseconds; default `Date.now`. */
  readonly now?: () => number;
  /** Applied to error text kept with a run and to the report summary kept for the judge. Default: builtin secret patterns. */
  readonly redact?: (text: string) => string;
}

export type BranchStage = "run" | "deliver" | "record";

export interface BranchOutcome {
  readonly role: VariantRole;
  readonly label: string;
  /** `posted`/`archived`: the report went where the mode says; `failed`: it did not (see `errors`). */
  readonly delivery: "posted" | "archived" | "failed";
  readonly reportRef?: string;
  /** Whether the run was recorded in the store. */
  readonly recorded: boolean;
  readonly errors: ReadonlyArray<{ readonly stage: BranchStage; readonly message: string }>;
}

export interface ExperimentAlertOutcome {
  readonly experimentId: string;
  readonly investigationId: string;
  readonly control: BranchOutcome;
  readonly treatment: BranchOutcome;
}

/** The label every report of an experiment carries in its title. */
export const abLabel = (role: VariantRole, variant: Variant): string => `[A/B ${role}: ${variant.label}]`;

export const labelReport = (report: InvestigationReport, role: VariantRole, variant: Variant): InvestigationReport => ({
  ...report,
  title: `${abLabel(role, variant)} ${report.title}`
});

const describeCause = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.findErrorOption(cause);
  const value: unknown = Option.isSome(error) ? error.value : Cause.squash(cause);
  const text = value instanceof Error ? value.message : typeof value === "object" && value !== null && "message" in value ? String(value.message) : String(value);
  return Option.isSome(error) ? text : `crashed: ${text}`;
};

/**
 * Runs both variants of the active experiment on one alert, concurrently and independently: each
 * branch investigates, labels its report, delivers it as the mode says (`post-both`: both in the
 * thread; `post-control`: the control in the thread, the treatment to `archive`) and records
 * its run with latency, tokens and cost. Nothing one branch does — failing, crashing, a failed
 * post or store write — changes what the other posts. Never fails; the outcome says what happened.
 */
export const runExperimentForAlert = (deps: ExperimentRunnerDeps, experiment: Experiment, alert: AlertContext): Effect.Effect<ExperimentAlertOutcome> => {
  const now = deps.now ?? Date.now;
  const redact = deps.redact ?? ((t: string) => redactSecrets(t));

  const branch = (role: VariantRole): Effect.Effect<BranchOutcome> =>
    Effect.gen(function* () {
      const variant = experiment[role];
      const errors: Array<{ stage: BranchStage; message: string }> = [];
      const started = now();
      const ran = yield* Effect.exit(Effect.suspend(() => deps.runVariant(variant, role, alert)));
      const base = {
        experimentId: experiment.id,
        investigationId: alert.investigationId,
        variant: role,
        label: variant.label
      };
      let delivery: BranchOutcome["delivery"] = "failed";
      let reportRef: string | undefined;
      let run: VariantRun;
      if (Exit.isFailure(ran)) {
        const message = redact(describeCause(ran.cause)).slice(0, 500);
        errors.push({ stage: "run", message });
        run = { ...base, recordedAt: now(), status: "failed", error: message, latencyMs: Math.max(0, now() - started), inputTokens: 0, outputTokens: 0, costUsd: 0 };
      } else {
        const result = ran.value;
        const labelled = labelReport(result.report, role, variant);
        const posts = role === "control" || experiment.mode === "post-both";
        const delivered = yield* Effect.exit(Effect.suspend(() => (posts ? deps.post(labelled, role) : deps.archive(labelled, role))));
        if (Exit.isSuccess(delivered)) {
          delivery = posts ? "posted" : "archived";
          reportRef = delivered.value;
        } else errors.push({ stage: "deliver", message: redact(describeCause(delivered.cause)).slice(0, 500) });
        run = {
          ...base,
          recordedAt: now(),
          status: "ok",
          latencyMs: Math.max(0, result.latencyMs),
          inputTokens: Math.max(0, result.tokens.input),
          outputTokens: Math.max(0, result.tokens.output),
          costUsd: Math.max(0, result.costUsd),
          ...(reportRef !== undefined ? { reportRef } : {}),
          summary: summarizeRun(result.report, { redact })
        };
      }
      const recorded = yield* Effect.exit(Effect.suspend(() => deps.store.recordRun(run)));
      if (Exit.isFailure(recorded)) errors.push({ stage: "record", message: redact(describeCause(recorded.cause)).slice(0, 500) });
      return {
        role,
        label: variant.label,
        delivery,
        ...(reportRef !== undefined ? { reportRef } : {}),
        recorded: Exit.isSuccess(recorded),
        errors
      };
    });

  return Effect.all([branch("control"), branch("treatment")], { concurrency: 2 }).pipe(
    Effect.map(([control, treatment]) => ({ experimentId: experiment.id, investigationId: alert.investigationId, control, treatment }))
  );
};
