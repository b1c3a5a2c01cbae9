export { makeCloudWatchLogsSpecialist, makeLogsSpecialist, makeOfflineLogsSpecialist, type CloudWatchLogsSpecialistOptions, type LogsSpecialistOptions } from "./CloudWatchLogsSpecialist.js";
export { makeCloudWatchLogsSource, type CloudWatchLogsSourceOptions } from "./source/CloudWatchLogsSource.js";
export { makeDirectoryLogSource, groupNameOfFile, type DirectoryLogSourceOptions } from "./source/DirectoryLogSource.js";
export {
  type LogSource,
  LogSourceError,
  LogSourceFailure,
  type LogLine,
  type LogGroupInfo,
  type LogGap,
  type LogListing,
  type ErrorSearch,
  type ActivityReport,
  type GroupActivity
} from "./source/LogSource.js";
export { groupPatterns, canonicalPattern, type LogPattern, type GroupOptions } from "./patterns/groupPatterns.js";
export { maskMessage, messageText } from "./patterns/maskMessage.js";
export { analyzeErrors, type ErrorAnalysis, type ErrorAnalysisInput } from "./investigate/analyzeErrors.js";
export { rankLogGroups, searchTerms, candidatePrefixes, type RankedGroup, type SearchTerm } from "./investigate/discoverLogGroups.js";
export { insightsLink, type InsightsLinkRequest } from "./investigate/insightsLink.js";
export { detectCause, type Cause } from "./investigate/detectCause.js";
export { errorLinesQuery, ERROR_FILTER_PATTERN, isErrorLine } from "./investigate/queries.js";
