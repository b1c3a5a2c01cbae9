/** The first millisecond of 2015, where Discord snowflakes start counting. */
export const DISCORD_EPOCH = 1_420_070_400_000n;

const SNOWFLAKE = /^\d{1,20}$/;
const MAX_SNOWFLAKE = (1n << 64n) - 1n;

/** A Discord id is an unsigned 64-bit integer written in decimal. Anything else names nothing. */
export const isSnowflake = (value: string): boolean => SNOWFLAKE.test(value) && BigInt(value) <= MAX_SNOWFLAKE;

/** The creation time (epoch milliseconds) encoded in a snowflake, or undefined when `id` is not one. */
export const snowflakeToMillis = (id: string): number | undefined =>
  isSnowflake(id) ? Number((BigInt(id) >> 22n) + DISCORD_EPOCH) : undefined;

/**
 * The smallest snowflake created at `millis`: every id made at or after that millisecond is at
 * least this large, so it bounds a history window. Times before Discord's epoch map to 0.
 */
export const millisToSnowflake = (millis: number): bigint => {
  const offset = BigInt(Math.floor(millis)) - DISCORD_EPOCH;
  return offset <= 0n ? 0n : offset << 22n;
};
