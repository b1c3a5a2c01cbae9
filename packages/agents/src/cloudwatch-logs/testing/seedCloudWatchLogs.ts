import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { motoClientConfig } from "./motoServer.js";

/** Creates a log group with one stream on a moto endpoint and puts the lines in (in batches, oldest first). */
export const seedLogGroup = async (endpoint: string, group: string, stream: string, lines: ReadonlyArray<{ readonly timestamp: number; readonly message: string }>): Promise<void> => {
  const client = new CloudWatchLogsClient(motoClientConfig(endpoint));
  try {
    await client.send(new CreateLogGroupCommand({ logGroupName: group }));
    await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    const sorted = [...lines].sort((a, b) => a.timestamp - b.timestamp);
    for (let i = 0; i < sorted.length; i += 5_000)
      await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: sorted.slice(i, i + 5_000).map((l) => ({ timestamp: l.timestamp, message: l.message })) }));
  } finally {
    client.destroy();
  }
};
