export * from "./A2aSpecialist.js";
export * from "./wire.js";
