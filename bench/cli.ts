// Command-line options shared by the Chrome driver (bench/run.ts) and the Node runner (bench/node.ts).
import { parseArgs } from 'node:util';
import { CELLS } from '../src/cells/index.ts';
import { OPTION_KEYS } from './config.ts';

/** Usage text of both runners. */
export const USAGE = `options (each overrides the preset; lists are comma-separated):
  --preset quick|full   quick: ~5 min on a CPU adapter; full: the whole sweep, for a GPU
  --cells ${CELLS.join(',')}     --dims 8,50     --shapes balanced,random,chain
  --depths 2,4 | "balanced=2,4;chain=4,16"     --batch 1,64
  --variants level,tree,node,tfjs-webgpu,tfjs-cpu,pytorch,reference
  --repeats 5 (≥ 5)     --seed 1     --ceiling 256 (matmul ceiling size)
  --out DIR (default bench/results)     --timeout SECONDS (default 3600)`;

/** Parsed options: the suite's (as strings, for parseConfig) and the runner's own. */
export interface CliOptions {
  suite: Record<string, string | undefined>;
  out?: string;
  timeoutS: number;
}

/** Parses argv (without node and the script); throws with the usage on anything unknown. */
export function parseCli(argv: readonly string[]): CliOptions {
  const options = Object.fromEntries(OPTION_KEYS.map((k) => [k, { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        ...options,
        out: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new Error(USAGE);
  const suite: Record<string, string | undefined> = {};
  for (const key of OPTION_KEYS) if (typeof values[key] === 'string') suite[key] = values[key];
  const timeoutS = Number(values.timeout ?? 3600);
  if (!(timeoutS > 0)) throw new Error(`--timeout takes seconds, got ${values.timeout}`);
  return { suite, ...(typeof values.out === 'string' ? { out: values.out } : {}), timeoutS };
}
