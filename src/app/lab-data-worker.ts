// Makes the lab's dataset off the page's main thread (generating 10,000 keyword sentences, or
// parsing a treebank, takes hundreds of ms) and sends it back in parts, so that taking it in never
// holds the page for long either.
import type { Dataset, Example } from '../train/dataset.ts';
import { InputError } from './inputs.ts';
import {
  labDataset,
  type LabSettings,
  type OwnSummary,
  OwnTreesError,
  ROLES,
  type Role,
} from './lab-data.ts';

/** Examples per message: each message is taken in by the page in a task of its own. */
export const EXAMPLES_PER_PART = 400;

/** The worker's answers, in order: the head, the examples in parts, then done; or an error. */
export type DataReply =
  | { kind: 'head'; data: Omit<Dataset, Role>; summary?: OwnSummary }
  | { kind: 'part'; role: Role; examples: Example[] }
  | { kind: 'done' }
  | { kind: 'error'; message: string; input: boolean; source?: string; line?: number; column?: number };

const scope = self as unknown as {
  postMessage(message: DataReply): void;
  onmessage: ((event: MessageEvent<LabSettings>) => void) | null;
};

scope.onmessage = (event) => {
  let made: ReturnType<typeof labDataset>;
  try {
    made = labDataset(event.data);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    scope.postMessage({
      kind: 'error',
      message,
      input: error instanceof InputError,
      ...(error instanceof OwnTreesError ? { source: error.source } : {}),
      ...(error instanceof InputError ? { line: error.line, column: error.column } : {}),
    });
    return;
  }
  const { data, summary } = made;
  const { train, dev, test, ...head } = data;
  scope.postMessage({ kind: 'head', data: head, ...(summary ? { summary } : {}) });
  for (const role of ROLES)
    for (let i = 0; i < data[role].length; i += EXAMPLES_PER_PART)
      scope.postMessage({ kind: 'part', role, examples: data[role].slice(i, i + EXAMPLES_PER_PART) });
  scope.postMessage({ kind: 'done' });
};
