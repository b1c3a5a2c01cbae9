import { type Confidence, confidenceRank } from "@sre-on-call/core";
import type { Event, Node, Pod } from "../kube/KubeObjects.js";
import type { ClusterView } from "../investigate/ClusterView.js";
import { logKey } from "../investigate/ClusterView.js";
import { Evidence } from "./Evidence.js";
import { type LogSignals, scanLog } from "./scanLog.js";
import { type EventIndex, indexEvents, namespaceObjects, type Subject } from "./Subject.js";

/** A candidate cause as an analyzer sees it, before it is placed in the causal chain. */
export interface Proposal {
  /** Stable identity: the same cause proposed twice (two pods, two paths) is one hypothesis. */
  readonly key: string;
  readonly title: string;
  readonly detail: string;
  readonly confidence: Confidence;
  /** Depth relative to the subject: 1 the subject's own failure, 2 its cause, 3 the cause of that. */
  readonly depth: number;
  readonly supporting: ReadonlyArray<string>;
  readonly confirmBy: string;
  readonly actions?: ReadonlyArray<string>;
  readonly chain?: ReadonlyArray<string>;
}

/** Where in the causal chain a subject sits: the alert's own workload, or a dependency of it. */
export interface Frame {
  readonly depthBase: number;
  /** The chain from this subject up to the alert's symptom, e.g. `["payments/api cannot reach payments-db:5432"]`. */
  readonly downstream: ReadonlyArray<string>;
  /** Subjects already on the path, so dependency cycles end. */
  readonly path: ReadonlyArray<string>;
}

export const ROOT_FRAME: Frame = { depthBase: 0, downstream: [], path: [] };

export interface PlacedProposal extends Proposal {
  readonly subject: string;
  readonly order: number;
}

/** How one analyzer judged one subject: for summaries and for the dependency that relies on it. */
export interface SubjectDiagnosis {
  readonly subject: Subject;
  /** `3/3 pods crash-looping`, `healthy: 2/2 ready`. */
  readonly status: string;
  readonly healthy: boolean;
}

/**
 * The shared state of one analysis: the view, the evidence recorded so far, the proposals, and
 * caches (event indexes, log scans) so analyzers can look things up freely.
 */
export class Analysis {
  readonly evidence: Evidence;
  private readonly proposals = new Map<string, PlacedProposal>();
  private readonly eventIndexes = new Map<string, EventIndex>();
  private readonly scans = new Map<string, LogSignals>();
  private readonly diagnosed = new Map<string, SubjectDiagnosis>();
  private nodeIndex: ReadonlyMap<string, Node> | undefined;
  private nodeEvents: EventIndex | undefined;

  constructor(
    readonly view: ClusterView,
    /** When the alert fired; what "recent" and "coincides" are measured against. */
    readonly alertTime: number,
    readonly window: { readonly start: number; readonly end: number },
    agent: string
  ) {
    this.evidence = new Evidence(agent);
  }

  propose(frame: Frame, subject: string, p: Proposal): void {
    const placed: PlacedProposal = {
      ...p,
      depth: frame.depthBase + p.depth,
      chain: [...(p.chain ?? [p.title]), ...frame.downstream],
      subject,
      order: this.proposals.size
    };
    const seen = this.proposals.get(p.key);
    if (seen === undefined) {
      this.proposals.set(p.key, placed);
      return;
    }
    // Reached by another path: keep the deepest placement, all the evidence, and the strongest
    // confidence (one path may have seen what proves it, e.g. the refusals a client logged).
    const deeper = placed.depth > seen.depth ? placed : seen;
    const confidence = confidenceRank(placed.confidence) < confidenceRank(seen.confidence) ? placed.confidence : seen.confidence;
    this.proposals.set(p.key, { ...deeper, confidence, order: seen.order, supporting: [...new Set([...seen.supporting, ...placed.supporting])] });
  }

  allProposals(): ReadonlyArray<PlacedProposal> {
    return [...this.proposals.values()];
  }

  events(namespace: string): EventIndex {
    let index = this.eventIndexes.get(namespace);
    if (index === undefined) {
      index = indexEvents(namespaceObjects(this.view, namespace).events);
      this.eventIndexes.set(namespace, index);
    }
    return index;
  }

  /** Events about a node, from whichever namespace the kubelet or controller filed them in. */
  eventsOfNode(name: string): ReadonlyArray<Event> {
    if (this.nodeEvents === undefined) {
      const all: Array<Event> = [];
      for (const objects of this.view.namespaces.values()) for (const e of objects.events) if (e.involvedObject?.kind === "Node") all.push(e);
      this.nodeEvents = indexEvents(all);
    }
    return this.nodeEvents("Node", name);
  }

  node(name: string | undefined): Node | undefined {
    if (name === undefined) return undefined;
    if (this.nodeIndex === undefined) this.nodeIndex = new Map(this.view.nodes.map((n) => [n.metadata.name, n]));
    return this.nodeIndex.get(name);
  }

  /** Signals in a container's logs (current or previous instance), scanned once. */
  logSignals(pod: Pod, container: string, previous: boolean): LogSignals | undefined {
    const log = this.view.logs.get(logKey(pod.metadata.namespace ?? "", pod.metadata.name, container));
    const text = previous ? log?.previous : log?.current;
    if (text === undefined) return undefined;
    const key = `${previous ? "p" : "c"}:${logKey(pod.metadata.namespace ?? "", pod.metadata.name, container)}`;
    let signals = this.scans.get(key);
    if (signals === undefined) {
      // Layouts without a year (klog, syslog) are dated relative to the alert, not to the machine's clock.
      signals = scanLog(text, { reference: this.alertTime });
      this.scans.set(key, signals);
    }
    return signals;
  }

  hasLogs(pod: Pod, container: string): boolean {
    return this.view.logs.has(logKey(pod.metadata.namespace ?? "", pod.metadata.name, container));
  }

  diagnosis(key: string): SubjectDiagnosis | undefined {
    return this.diagnosed.get(key);
  }

  remember(key: string, d: SubjectDiagnosis): void {
    this.diagnosed.set(key, d);
  }

  /**
   * Whether something last seen at `time` is relevant to the alert: seen in the window, shortly
   * before it, or after it. Times are last occurrences; a recurring event or error still seen
   * after the window was (most likely) going on during it too — dumps and live reads are taken
   * after the alert, often long after — so only what had stopped before the window is dropped.
   */
  recent(time: number | undefined, leadMs = 60 * 60_000): boolean {
    return time !== undefined && time >= this.window.start - leadMs;
  }
}
