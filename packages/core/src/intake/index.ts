export * from "./IntakeEvent.js";
export * from "./processIntake.js";
