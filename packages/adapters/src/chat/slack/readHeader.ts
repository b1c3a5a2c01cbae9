/** Request headers as Node (`IncomingHttpHeaders`), the local server or a Lambda event hands them over. */
export type SlackRequestHeaders = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;

export type HeaderValue =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Value"; readonly value: string }
  /** The header was sent more than once with different values: nobody can say which one Slack meant. */
  | { readonly _tag: "Ambiguous" };

/** Case-insensitive lookup; a repeated header with one distinct value counts as that value. */
export const readHeader = (headers: SlackRequestHeaders, name: string): HeaderValue => {
  const wanted = name.toLowerCase();
  const values: Array<string> = [];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const raw = headers[key];
    if (typeof raw === "string") values.push(raw);
    else if (Array.isArray(raw)) for (const v of raw) if (typeof v === "string") values.push(v);
  }
  const distinct = [...new Set(values.map((v) => v.trim()))];
  if (distinct.length === 0) return { _tag: "Missing" };
  const [only] = distinct;
  return distinct.length === 1 && only !== undefined ? { _tag: "Value", value: only } : { _tag: "Ambiguous" };
};
