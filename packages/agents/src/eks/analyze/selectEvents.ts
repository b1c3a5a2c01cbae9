import type { Event, Pod } from "../kube/KubeObjects.js";
import { eventTime } from "../kube/time.js";

/*
 * Choosing the event that explains a state. The kubelet and the controllers file several events
 * per failure, most of which restate the symptom (`Error: ErrImagePull`, `Error:
 * ImagePullBackOff`, `Back-off pulling image`) while one carries the cause (`Failed to pull image
 * "x": … toomanyrequests …`); and an object's events pile up over its life, so an old failure can
 * sit next to the one happening now.
 */

/** `spec.containers{api}`, `spec.initContainers{init}`: the container an event is about. */
const FIELD_PATH = /^spec\.(?:initContainers|containers|ephemeralContainers)\{([^}]*)\}$/;

/** The container an event names through its fieldPath; undefined when it is about the pod as a whole. */
export const eventContainer = (e: Event): string | undefined => {
  const path = e.involvedObject?.fieldPath;
  if (typeof path !== "string") return undefined;
  return FIELD_PATH.exec(path)?.[1];
};

/**
 * The events of a pod that can concern one of its containers: those naming it in their fieldPath,
 * and those naming no container (`kubectl get events` output pasted without a fieldPath).
 */
export const eventsOfContainer = (events: ReadonlyArray<Event>, container: string): ReadonlyArray<Event> =>
  events.filter((e) => {
    const named = eventContainer(e);
    return named === undefined || named === container;
  });

/*
 * The kubelet's generic follow-ups to a failure: they repeat the waiting reason and name nothing.
 * Seen next to the informative event in, e.g., red-hat-storage/ocs-ci#4494 (`Error: ErrImagePull`
 * at the same second as `Failed to pull image … toomanyrequests`) and Stirling-Tools/Stirling-PDF#1209
 * (`Error: ErrImagePull`, `Error: ImagePullBackOff`, `Back-off pulling image`).
 */
const SYMPTOM_ONLY =
  /^(?:Error: (?:ErrImagePull|ImagePullBackOff|ErrImageNeverPull|InvalidImageName|RegistryUnavailable|CreateContainerConfigError|CreateContainerError|RunContainerError|CrashLoopBackOff|ContainerCannotRun|StartError)|Back-off (?:pulling image|restarting failed container)\b.*|Error syncing pod.*)$/i;

/** Whether an event's message only restates the state it accompanies. */
export const namesOnlyTheSymptom = (message: string | undefined): boolean => {
  const m = (message ?? "").trim();
  return m === "" || SYMPTOM_ONLY.test(m);
};

/** The kubelet prefixes failures with `Error: `; the rest is what went wrong. */
export const withoutErrorPrefix = (message: string): string => message.trim().replace(/^Error: /, "");

const timeOf = (e: Event) => eventTime(e) ?? Number.NEGATIVE_INFINITY;

/**
 * The latest event with `reason` that says more than the symptom and passes `accept`. Events of one
 * object succeed each other: the newest informative one describes the present, an older one may
 * describe a failure that has since been replaced by another (a Secret created, then its key found
 * missing).
 */
export const latestInformative = (events: ReadonlyArray<Event>, reasons: ReadonlySet<string>, accept: (message: string) => boolean = () => true): Event | undefined => {
  let best: Event | undefined;
  for (const e of events) {
    if (!reasons.has(e.reason ?? "") || namesOnlyTheSymptom(e.message) || !accept(e.message ?? "")) continue;
    if (best === undefined || timeOf(e) >= timeOf(best)) best = e;
  }
  return best;
};

/**
 * The later event of the same object that shows `failure` is over: a controller that reported
 * `FailedCreate` and has since reported `SuccessfulCreate` did create its pods, so the failure is
 * history (kubernetes/kubernetes#47002, #54789 and #78649: a transient `FailedCreate … The POST
 * operation against Pod could not be completed` next to pods that run). Events recorded in the
 * same second are not ordered, so they supersede nothing.
 */
export const supersededBy = (failure: Event, events: ReadonlyArray<Event>, successReasons: ReadonlySet<string>): Event | undefined => {
  const at = eventTime(failure);
  if (at === undefined) return undefined;
  // A StatefulSet reports its volume claims as `SuccessfulCreate` too (`create Claim data-x-0 Pod x-0 …`): no pod came of them.
  return events.find((e) => successReasons.has(e.reason ?? "") && !/^create Claim /.test(e.message ?? "") && (eventTime(e) ?? Number.NEGATIVE_INFINITY) > at);
};

/**
 * A StatefulSet's `FailedCreate` for a pod that exists and runs: the controller retried the
 * creation of a pod it had already made, and the API server's refusal is about nothing
 * (kz8s/tack#185: `create Pod pgset-0 in StatefulSet pgset failed error: The POST operation against
 * Pod could not be completed at this time` ×17 while pgset-0 is Running; kubernetes/kubernetes#78649:
 * "I got a create failed event, but my StatefulSet run well").
 */
export const failedForRunningPod = (failure: Event, pods: ReadonlyArray<Pod>): boolean => {
  const name = /^create Pod (\S+) in StatefulSet \S+ failed/.exec((failure.message ?? "").trim())?.[1];
  return name !== undefined && pods.some((p) => p.metadata.name === name && p.status?.phase === "Running");
};

/** The success that ends a controller's FailedCreate. */
export const CREATED = new Set(["SuccessfulCreate"]);
