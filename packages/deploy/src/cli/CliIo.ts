/** What a command may touch, so commands run in-process under test exactly as from a shell. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Standard input, line by line. */
  readonly stdinLines: () => AsyncIterable<string>;
  /** Standard input, whole. */
  readonly stdinText: () => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** True when stderr is a terminal (progress may redraw). */
  readonly isTty: boolean;
}

/** A mistake in how the command was called: exit status 2 and a message naming the fix. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The command ran but could not do its job (missing file, unreachable cluster): exit status 1. */
export class CommandFailed extends Error {
  override readonly name = "CommandFailed";
  constructor(
    message: string,
    readonly exitCode: number = 1
  ) {
    super(message);
  }
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly run: (args: ReadonlyArray<string>, io: CliIo) => Promise<number>;
}

/** A command as the CLI lists it; its module is imported only when it runs. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}
