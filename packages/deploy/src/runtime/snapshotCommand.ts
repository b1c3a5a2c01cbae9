import { type CommandHandler, redactDeep, renderSnapshot, type SpecialistsShape, takeSnapshot } from "@sre-on-call/core";
import { Duration, Effect } from "effect";

/**
 * `/sre-snapshot`: every enabled specialist's health snapshot, posted in the channel the command
 * was typed in; the operator is told where it went (or why it could not be posted).
 */
export const makeSnapshotCommand = (specialists: SpecialistsShape, deadline: Duration.Input = Duration.seconds(20)): CommandHandler => (request, chat) =>
  takeSnapshot(specialists, { snapshotId: `snap-${request.requestedAt.toString(36)}`, deadline }).pipe(
    Effect.flatMap((snapshot) =>
      Effect.forEach(renderSnapshot(redactDeep(snapshot), chat.dialect), (message) => chat.postMessage(request.channelId, message), { concurrency: 1 }).pipe(
        Effect.as(`Snapshot posted: overall ${snapshot.health}, ${snapshot.sections.length} agent(s).`),
        Effect.catch((e) => Effect.succeed(`The snapshot was taken (overall ${snapshot.health}) but could not be posted here: ${e.reason}`))
      )
    )
  );
