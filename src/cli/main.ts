// `treegrad COMMAND [flags]`: the command table, help, and one place where errors meet the user.
import { CELLS, REGISTRY } from '../cells/index.ts';
import { type Command, EXIT, UsageError } from './command.ts';
import { LimitError } from '../engine/limits.ts';
import { ParamsError } from '../params/io.ts';
import { InputError } from '../train/files.ts';
import { TreeParseError } from '../trees/parse.ts';
import { binarizeCommand } from './binarize.ts';
import { dataCommand } from './data.ts';
import { gpuInfo } from './gpu-info.ts';
import { experimentCommand } from './experiment.ts';
import { gradCommand } from './grad.ts';
import { reportCommand } from './report.ts';
import { selfcheck } from './selfcheck.ts';
import { trainCommand } from './train.ts';

/** Every command, in the order `--help` lists them. */
const commands: Command[] = [
  experimentCommand,
  reportCommand,
  trainCommand,
  gradCommand,
  dataCommand,
  binarizeCommand,
  selfcheck,
  gpuInfo,
];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `treegrad: level-batched WebGPU training of recursive networks (${CELLS.map((c) => REGISTRY[c].label).join(', ')}) over binary trees`,
    '',
    'Usage: treegrad COMMAND [flags]    (treegrad COMMAND --help for its flags)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Set TREEGRAD_DEBUG=1 to see stack traces.',
  ].join('\n');
}

/** Runs the command line `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`treegrad: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    return reportError(command, error);
  }
}

/** Errors that come from what the user gave (flags, files, settings), not from the work itself. */
function isUsage(err: Error): boolean {
  return (
    err instanceof UsageError ||
    err instanceof TreeParseError ||
    err instanceof ParamsError ||
    err instanceof InputError ||
    err instanceof LimitError ||
    ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ?? false)
  );
}

/** One line: the message's lines joined (a list of problems stays readable on one line). */
function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

function reportError(command: Command, error: unknown): number {
  const err = error instanceof Error ? error : new Error(String(error));
  const usage = isUsage(err);
  const hint = usage && err instanceof UsageError ? ` (treegrad ${command.name} --help)` : '';
  console.error(`treegrad ${command.name}: ${oneLine(err.message)}${hint}`);
  if (process.env.TREEGRAD_DEBUG) console.error(err.stack);
  return usage ? EXIT.usage : EXIT.failed;
}
