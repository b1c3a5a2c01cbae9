import type { Finding, JsonRecord, Severity } from "@sre-on-call/core";

export interface EvidenceInput {
  /** Where it was seen: `kubernetes/pod/payments/api-7d9f8b6c5-x2x9z`, `kubernetes/node/ip-10-0-1-5`. */
  readonly source: string;
  readonly timestamp: number;
  readonly content: string;
  readonly severity: Severity;
  readonly metadata?: JsonRecord;
}

/**
 * Collects an investigation's findings and numbers them `eks:1`, `eks:2`… in the order they are
 * recorded, so the same objects always yield the same ids. Recording the same observation twice
 * returns the first id: several hypotheses may cite one piece of evidence.
 */
export class Evidence {
  private readonly findings: Array<Finding> = [];
  private readonly byContent = new Map<string, string>();

  constructor(private readonly agent: string) {}

  add(input: EvidenceInput): string {
    const key = `${input.source}\n${input.content}`;
    const existing = this.byContent.get(key);
    if (existing !== undefined) return existing;
    const id = `${this.agent}:${this.findings.length + 1}`;
    this.findings.push({
      id,
      agent: this.agent,
      source: input.source,
      timestamp: Math.max(0, input.timestamp),
      content: input.content,
      severity: input.severity,
      metadata: input.metadata ?? {}
    });
    this.byContent.set(key, id);
    return id;
  }

  all(): ReadonlyArray<Finding> {
    return this.findings;
  }
}
