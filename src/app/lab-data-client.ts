// The page's side of lab-data-worker.ts: asks a worker for the dataset of some settings and takes
// it in part by part. Errors come back as they were thrown there (InputError located at
// file:line:column for own trees).
import type { Dataset } from '../train/dataset.ts';
import { InputError } from './inputs.ts';
import { type LabSettings, type OwnSummary, OwnTreesError } from './lab-data.ts';
import type { DataReply } from './lab-data-worker.ts';

/** The dataset of `settings`, made in a worker (and what reading own trees found). */
export function loadDataset(settings: LabSettings): Promise<{ data: Dataset; summary?: OwnSummary }> {
  const worker = new Worker(new URL('./lab-data-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<{ data: Dataset; summary?: OwnSummary }>((resolve, reject) => {
    let made: { data: Dataset; summary?: OwnSummary } | undefined;
    worker.onmessage = (event: MessageEvent<DataReply>) => {
      const reply = event.data;
      switch (reply.kind) {
        case 'head':
          made = {
            data: { ...reply.data, train: [], dev: [], test: [] },
            ...(reply.summary ? { summary: reply.summary } : {}),
          };
          return;
        case 'part':
          made?.data[reply.role].push(...reply.examples);
          return;
        case 'done':
          if (made) resolve(made);
          else reject(new Error('the data worker sent no dataset'));
          return;
        case 'error': {
          const { message, source, line, column } = reply;
          if (source !== undefined && line !== undefined && column !== undefined)
            reject(new OwnTreesError(message, source, line, column));
          else reject(reply.input ? new InputError(message, line, column) : new Error(message));
          return;
        }
      }
    };
    worker.onerror = (event) => reject(new Error(`the data worker failed: ${event.message}`));
    worker.postMessage(settings);
  }).finally(() => worker.terminate());
}
