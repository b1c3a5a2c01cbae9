const OFFSET_BASIS = 0xcbf29ce484222325n;
const TWO_32 = 4294967296;

/**
 * 64-bit FNV-1a over the UTF-8 bytes of `parts`, each followed by the byte 0xff. 0xff never
 * occurs in UTF-8, so ("ab", "c") and ("a", "bc") hash differently. This is the scheme
 * Prometheus uses for label-set fingerprints, which keeps `alertFingerprint` compatible
 * with Alertmanager's.
 *
 * The state is kept as two 32-bit halves rather than a bigint: a webhook can carry
 * thousands of alerts, and bigint arithmetic per byte costs about 50 times more.
 */
export const fnv1a64 = (parts: Iterable<string>, seed: bigint = OFFSET_BASIS): bigint => {
  let hi = Number((seed >> 32n) & 0xffffffffn);
  let lo = Number(seed & 0xffffffffn);
  // h * 0x100000001b3 mod 2^64 = h * 0x1b3 + (h << 40)
  const add = (byte: number): void => {
    lo = (lo ^ byte) >>> 0;
    const low = lo * 0x1b3;
    hi = (Math.imul(hi, 0x1b3) + Math.floor(low / TWO_32) + (lo << 8)) >>> 0;
    lo = low >>> 0;
  };
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      let c = part.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < part.length) {
        const next = part.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
        }
      }
      // Lone surrogates are not encodable; Go's JSON decoder turns them into U+FFFD too.
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) add(c);
      else if (c < 0x800) {
        add(0xc0 | (c >> 6));
        add(0x80 | (c & 0x3f));
      } else if (c < 0x10000) {
        add(0xe0 | (c >> 12));
        add(0x80 | ((c >> 6) & 0x3f));
        add(0x80 | (c & 0x3f));
      } else {
        add(0xf0 | (c >> 18));
        add(0x80 | ((c >> 12) & 0x3f));
        add(0x80 | ((c >> 6) & 0x3f));
        add(0x80 | (c & 0x3f));
      }
    }
    add(0xff);
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
};

/** The fingerprint Alertmanager gives an alert with these labels: FNV-1a over the sorted pairs, as 16 hex digits. */
export const alertFingerprint = (labels: Readonly<Record<string, string>>): string => {
  const names = Object.keys(labels).sort(compareBytes);
  const parts: Array<string> = [];
  for (const name of names) parts.push(name, labels[name] ?? "");
  return fnv1a64(parts).toString(16).padStart(16, "0");
};

// Go sorts strings by bytes; comparing code points gives the same order as comparing UTF-8 bytes.
const compareBytes = (a: string, b: string): number => {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done === true) return y.done === true ? 0 : -1;
    if (y.done === true) return 1;
    const d = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
};
