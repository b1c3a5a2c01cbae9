import type { Analysis } from "./Analysis.js";

/**
 * A ConfigMap the kubelet does not find in the pod's namespace that exists in another one: the
 * object was created in the wrong namespace (prometheus-msteams/prometheus-msteams#25: the chart
 * put its ConfigMap in default while the Deployment ran in monitoring). Needs the view to know
 * where ConfigMaps of that name live (a dump's configmaps.json; live clusters are not asked).
 */
export const configMapElsewhere = (a: Analysis, namespace: string, message: string): { readonly name: string; readonly homes: ReadonlyArray<string> } | undefined => {
  const name = /configmaps? "([^"]+)" not found/i.exec(message)?.[1];
  const homes = name === undefined ? undefined : a.view.configMapHomes?.get(name);
  if (name === undefined || homes === undefined || homes.includes(namespace) || homes.length === 0) return undefined;
  return { name, homes };
};
