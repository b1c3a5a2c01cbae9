import { fnv1a64 } from "./fnv1a64.js";

const BASE32 = "0123456789abcdefghjkmnpqrstvwxyz";
// A second pass seeded differently widens the id to 80 bits, so ids stay unique across years of alerts.
const SECOND_SEED = 0x84222325cbf29ce4n;

/**
 * A stable investigation id for the parts that identify an alert (source, fingerprint, start)
 * or a chat message (platform, channel, message): "inv-" and 16 base32 characters. The same
 * parts always give the same id, on every machine and in every process.
 */
export const investigationIdFor = (...parts: ReadonlyArray<string>): string => {
  const high = fnv1a64(parts);
  const low = fnv1a64(parts, SECOND_SEED) & 0xffffn;
  let bits = (high << 16n) | low;
  let out = "";
  for (let i = 0; i < 16; i++) {
    out = (BASE32[Number(bits & 31n)] ?? "0") + out;
    bits >>= 5n;
  }
  return `inv-${out}`;
};
