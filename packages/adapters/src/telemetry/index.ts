export { combineTelemetry } from "./combineTelemetry.js";
export { CurrentInvestigationId, inSpanInvestigation, investigationIdOf, withInvestigationId } from "./investigationContext.js";
export { type LogDestination, makePinoTelemetry, type PinoTelemetryOptions } from "./PinoTelemetry.js";
export { sanitizeFields } from "./sanitizeFields.js";
