/*
 * Tool names must match `^[A-Za-z0-9_-]{1,64}$` (Bedrock and OpenAI both insist) and be unique
 * within an agent. `<server>__<tool>` is kept as it is when it already fits and reads back
 * unambiguously; any other pair gets a sanitised, shortened name ending in a hash of the pair.
 *
 * Readable names are injective: with a server name that has no `__` and does not end in `_`,
 * the first `__` of the name is the separator. They never end like a hashed name
 * (`_` + 8 hex digits), so the two kinds cannot meet; two hashed names meet only when 32-bit
 * hashes collide, which `connectMcpServers` detects and reports.
 */

const ALLOWED = /[^A-Za-z0-9_-]/g;
const MAX = 64;
const HASH_LENGTH = 8;
const HASHED = /_[0-9a-f]{8}$/;

/** FNV-1a, 32 bits, over UTF-16 code units: stable, dependency-free, plenty for a disambiguating suffix. */
const fnv1a = (text: string): string => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(HASH_LENGTH, "0");
};

/** The name a model sees for `tool` of `server`: always matches `^[A-Za-z0-9_-]{1,64}$`. */
export const mcpToolName = (server: string, tool: string): string => {
  const raw = `${server}__${tool}`;
  const clean = raw.replace(ALLOWED, "_");
  const readable = clean === raw && raw.length <= MAX && !server.includes("__") && !server.endsWith("_") && !HASHED.test(raw);
  if (readable) return raw;
  const suffix = `_${fnv1a(`${server.length}:${server}${tool}`)}`;
  return `${clean.slice(0, MAX - suffix.length)}${suffix}`;
};
