export * from "./IntakeEvent.js";
