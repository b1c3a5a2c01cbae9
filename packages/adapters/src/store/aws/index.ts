export * from "./AwsIncidentMemory.js";
export * from "./ensureIncidentMemoryResources.js";
export { describeAwsMemoryError, redactCredentials, type AwsResource } from "./describeAwsMemoryError.js";
export { IncidentRecordJson, incidentObjectKey } from "./incidentDocument.js";
export { RECENT_INDEX, RECENT_PARTITION, RECENT_PARTITION_ATTRIBUTE, incidentPk } from "./incidentIndexItem.js";
