/** The last `n` lines of a log, as the API server's `tailLines` returns them. */
export const tailLines = (text: string, n: number | undefined): string => {
  if (n === undefined) return text;
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  return lines.length <= n ? text : `${lines.slice(-n).join("\n")}\n`;
};
