export { INCIDENT_HISTORY_ID, makeIncidentHistorySpecialist, type IncidentHistorySpecialistOptions, type SimilarityThresholds } from "./IncidentHistorySpecialist.js";
export { incidentRecordFromReport, rememberInvestigation, type RememberContext } from "./rememberInvestigation.js";
export { incidentText, rankByEmbedding, type EmbeddingRanking } from "./rankByEmbedding.js";
