import { crc32 } from "node:zlib";

const HEAD = '{"c":"';
const MIDDLE = '","r":';
const BODY_START = HEAD.length + 8 + MIDDLE.length;
const HEX = /^[0-9a-f]{8}$/;

/**
 * One self-checking line: `{"c":"<crc32 of body, hex>","r":<body>}` and a newline. The checksum
 * sits at a fixed offset so a reader can verify the body's exact bytes without re-serialising
 * it, and every line stays valid JSON for `jq`.
 */
export const encodeLine = (body: string): string => `${HEAD}${crc32(body).toString(16).padStart(8, "0")}${MIDDLE}${body}}\n`;

/** The parsed body of a line (without its newline), or undefined when it is torn or fails its checksum. */
export const decodeLine = (line: string): { readonly body: unknown } | undefined => {
  if (line.length < BODY_START + 2 || !line.startsWith(HEAD) || !line.endsWith("}")) return undefined;
  const hex = line.slice(HEAD.length, HEAD.length + 8);
  if (!HEX.test(hex) || line.slice(HEAD.length + 8, BODY_START) !== MIDDLE) return undefined;
  const body = line.slice(BODY_START, -1);
  if (crc32(body) !== Number.parseInt(hex, 16)) return undefined;
  try {
    return { body: JSON.parse(body) as unknown };
  } catch {
    return undefined;
  }
};
