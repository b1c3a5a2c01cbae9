/**
 * Breaks `@everyone` and `@here` with a zero-width space so text quoted from an alert can never
 * ping a whole server, even if a message is ever sent without `allowed_mentions`. Idempotent.
 */
export const neutraliseBroadcastMentions = (text: string): string => text.replace(/@(everyone|here)/g, "@\u200b$1");
