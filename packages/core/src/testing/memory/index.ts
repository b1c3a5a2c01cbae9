export * from "./InMemoryChat.js";
export * from "./InMemoryStores.js";
export * from "./ScriptedModel.js";
export * from "./FakeSpecialist.js";
export * from "./InMemoryExperimentStore.js";
