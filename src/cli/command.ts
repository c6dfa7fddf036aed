/** One `treegrad` sub-command: its name, a one-line summary, its usage text and its action. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full usage text printed by `treegrad NAME --help`. */
  readonly usage: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** An error meant for the user: printed as one message, without a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
