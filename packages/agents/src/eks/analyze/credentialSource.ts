import type { Container, EnvVar } from "../kube/KubeObjects.js";

/** Env names that carry a password; a SECRET or TOKEN only counts when its name ties it to the server. */
const PASSWORD = /PASS|PWD/i;
const CREDENTIAL = /SECRET|TOKEN|CREDENTIAL/i;
/** Words that tie a variable to one kind of server: a MySQL client's password is rarely called REDIS_PASSWORD. */
const SERVER_WORDS: ReadonlyArray<readonly [RegExp, RegExp]> = [
  [/^mysql\./, /MYSQL|MARIADB|\bDB|DATABASE|_DB_|^DB_/i],
  [/^postgresql\./, /POSTGRES|\bPG|PSQL|\bDB|DATABASE|_DB_|^DB_|DATASOURCE/i]
];

const where = (e: EnvVar): string | undefined => {
  const secret = e.valueFrom?.secretKeyRef;
  if (typeof secret?.name === "string") return `Secret ${secret.name}${typeof secret.key === "string" ? `, key ${secret.key}` : ""}`;
  const map = e.valueFrom?.configMapKeyRef;
  if (typeof map?.name === "string") return `ConfigMap ${map.name}${typeof map.key === "string" ? `, key ${map.key}` : ""}`;
  return typeof e.value === "string" ? "set literally in the pod spec" : undefined;
};

/**
 * Where the credential a rejected login used comes from, as the container's spec says: the env
 * variable that carries the password and the Secret key behind it (devantler-tech/platform#1635:
 * FLEET_MYSQL_PASSWORD from Secret mysql, key mysql-password, still the pre-rotation password;
 * thingsboard/thingsboard#4100: SPRING_DATASOURCE_PASSWORD from envFrom Secret tb-node-secrets).
 * What the Secret holds is not read (a cluster dump has no Secrets): the finding names where to
 * look, not that the value is wrong. Undefined when the spec names no credential.
 */
export const credentialSource = (spec: Container | undefined, signatureId: string, user?: string): string | undefined => {
  const server = SERVER_WORDS.find(([id]) => id.test(signatureId))?.[1];
  const env = (Array.isArray(spec?.env) ? spec.env : []).filter((e) => typeof e.name === "string" && (PASSWORD.test(e.name) || (CREDENTIAL.test(e.name) && server?.test(e.name) === true)));
  const score = (e: EnvVar): number => {
    const name = e.name ?? "";
    return (server?.test(name) === true ? 2 : 0) + (user !== undefined && user.length >= 3 && name.toLowerCase().includes(user.toLowerCase()) ? 1 : 0) + (PASSWORD.test(name) ? 1 : 0);
  };
  const ranked = env.map((e) => ({ e, s: score(e), from: where(e) })).filter((x) => x.from !== undefined).sort((a, b) => b.s - a.s);
  const best = ranked.filter((x) => x.s === ranked[0]?.s).slice(0, 2);
  if (best.length > 0) return `the password it sends comes from env ${best.map((x) => `${x.e.name ?? ""} (${x.from ?? ""})`).join(" or ")}`;
  const fromSecrets = (Array.isArray(spec?.envFrom) ? spec.envFrom : []).map((f) => f.secretRef?.name).filter((n): n is string => typeof n === "string");
  if (fromSecrets.length > 0) return `its env, the password included, comes from Secret ${fromSecrets.slice(0, 2).join(" and ")} (envFrom)`;
  return undefined;
};
