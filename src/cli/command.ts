/** One `treegrad` sub-command: its name, a one-line summary, its usage text and its action. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full usage text printed by `treegrad NAME --help`. */
  readonly usage: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Exit codes of every command (docs/failure-modes.md). */
export const EXIT = {
  /** The command did what it was asked, and its outputs are right. */
  ok: 0,
  /** Something failed while working (GPU, disk, a bug): see the message. */
  failed: 1,
  /** A bad flag or a bad input (file, setting, limit): nothing was written. */
  usage: 2,
  /** The work is not all done: other processes hold some of it (experiment locks). */
  incomplete: 3,
} as const;

/** An error meant for the user: printed as one message, without a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
