import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { Entities, IncidentOutcome, IncidentRecord } from "@sre-on-call/core";
import { ENTITY_KEYS } from "@sre-on-call/core";

export type Item = Record<string, AttributeValue>;

/** The GSI every index item is in: one constant partition, newest first by `createdAt`. */
export const RECENT_INDEX = "byCreatedAt";
export const RECENT_PARTITION_ATTRIBUTE = "kind";
export const RECENT_PARTITION = "incident";

/** Every index item's key starts with this, so the table can hold other items too. */
export const INCIDENT_PK_PREFIX = "incident#";

/**
 * Caps on the text an index item carries, so an item stays far below DynamoDB's 400 KB and a
 * `similar` over 2,000 items reads a few MB at most. The full text stays in S3; ranking
 * sees the first few thousand characters of an alert, which is where its words are.
 */
export const MAX_TITLE_CHARS = 1_000;
export const MAX_ALERT_TEXT_CHARS = 4_000;
export const MAX_ROOT_CAUSE_CHARS = 1_000;

export const incidentPk = (investigationId: string): string => `${INCIDENT_PK_PREFIX}${investigationId}`;
export const keyOf = (investigationId: string): Item => ({ pk: { S: incidentPk(investigationId) } });

/** Cuts at `max` UTF-16 units without leaving half a surrogate pair, which is not valid UTF-8. */
export const truncate = (text: string, max: number): string => {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
};

const entitiesItem = (entities: Entities): AttributeValue => {
  const map: Record<string, AttributeValue> = {};
  for (const key of ENTITY_KEYS) {
    const value = entities[key];
    if (value !== undefined) map[key] = { S: value };
  }
  return { M: map };
};

const outcomeAttributes = (outcome: IncidentOutcome): Item => ({
  resolved: { BOOL: true },
  resolvedAt: { N: String(outcome.resolvedAt) },
  ...(outcome.rootCause === undefined ? {} : { rootCause: { S: truncate(outcome.rootCause, MAX_ROOT_CAUSE_CHARS) } })
});

/** The searchable summary of an incident that `similar` ranks, and where its full record is. */
export const toIndexItem = (record: IncidentRecord, s3Key: string, updatedAt: number): Item => ({
  ...keyOf(record.investigationId),
  [RECENT_PARTITION_ATTRIBUTE]: { S: RECENT_PARTITION },
  id: { S: record.investigationId },
  createdAt: { N: String(record.recordedAt) },
  title: { S: truncate(record.title, MAX_TITLE_CHARS) },
  alertText: { S: truncate(record.alertText, MAX_ALERT_TEXT_CHARS) },
  entities: entitiesItem(record.entities),
  severity: { S: record.severity },
  ...(record.topHypothesis === undefined ? {} : { hypothesis: { S: truncate(record.topHypothesis.title, MAX_TITLE_CHARS) } }),
  ...(record.outcome === undefined ? { resolved: { BOOL: false } } : outcomeAttributes(record.outcome)),
  s3Key: { S: s3Key },
  updatedAt: { N: String(updatedAt) }
});

/** What `similar` needs of an index item: the ranked text and where the full record is. */
export interface IndexEntry {
  readonly investigationId: string;
  readonly recordedAt: number;
  readonly title: string;
  readonly alertText: string;
  readonly entities: Entities;
  readonly s3Key: string;
}

/** The attributes `fromIndexItem` reads, for a `ProjectionExpression`. */
export const INDEX_ENTRY_ATTRIBUTES = ["id", "createdAt", "title", "alertText", "entities", "s3Key"] as const;

const ENTITY_KEY_SET: ReadonlySet<string> = new Set(ENTITY_KEYS);

/** Undefined for an item that is not one of ours (another writer's item in a shared table). */
export const fromIndexItem = (item: Item): IndexEntry | undefined => {
  const id = item["id"]?.S;
  const recordedAt = Number(item["createdAt"]?.N);
  const s3Key = item["s3Key"]?.S;
  if (id === undefined || s3Key === undefined || !Number.isFinite(recordedAt)) return undefined;
  const entities: Record<string, string> = {};
  for (const [key, value] of Object.entries(item["entities"]?.M ?? {})) {
    if (ENTITY_KEY_SET.has(key) && value.S !== undefined) entities[key] = value.S;
  }
  return { investigationId: id, recordedAt, title: item["title"]?.S ?? "", alertText: item["alertText"]?.S ?? "", entities, s3Key };
};

/** A record carrying only what `rankSimilarIncidents` reads, so the index alone can be ranked. */
export const rankableRecord = (entry: IndexEntry): IncidentRecord => ({
  investigationId: entry.investigationId,
  recordedAt: entry.recordedAt,
  title: entry.title,
  alertText: entry.alertText,
  entities: entry.entities,
  severity: "info",
  channelId: "",
  threadId: ""
});
