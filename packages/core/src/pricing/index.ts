export * from "./PriceTable.js";
export * from "./costOf.js";
