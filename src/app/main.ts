// The interactive page (index.html): trees in, gradients on the GPU, pictures out. Wires the form,
// the generators, the results and the self-check panel; every handler reports its errors in the page.
import { type Gpu, GpuUnavailableError, getGpu } from '../gpu/device.ts';
import { type Cell, CELLS, REGISTRY } from '../cells/index.ts';
import { chartNote, depthChart } from './chart.ts';
import { type RunResult, compute } from './compute.ts';
import { byId, h, messageOf } from './dom.ts';
import {
  InputError,
  type PageRequest,
  type Shape,
  autoClasses,
  intField,
  keywordTrees,
  readRequest,
  shapeTree,
} from './inputs.ts';
import { adapterName, showAdapter, showNoAdapter } from './selfcheck.ts';
import type { Metric } from './stats.ts';
import { renderStats, renderTable, renderTrees } from './view.ts';

const input = {
  trees: byId('trees', HTMLTextAreaElement),
  cell: byId('cell', HTMLSelectElement),
  dim: byId('dim', HTMLInputElement),
  seed: byId('seed', HTMLInputElement),
  classes: byId('classes', HTMLInputElement),
  compare: byId('compare', HTMLInputElement),
};
const gen = {
  dataset: byId('gen-dataset', HTMLInputElement),
  seed: byId('gen-seed', HTMLInputElement),
  count: byId('gen-count', HTMLInputElement),
  shape: byId('gen-shape', HTMLSelectElement),
  leaves: byId('gen-leaves', HTMLInputElement),
  shapeSeed: byId('gen-shape-seed', HTMLInputElement),
};
// The cell choices, from the registry.
input.cell.replaceChildren(...CELLS.map((c) => h('option', { value: c }, REGISTRY[c].label)));
const computeButton = byId('compute', HTMLButtonElement);
const statusLine = byId('status');
const errorBox = byId('error');
const results = byId('results');
const metricBox = byId('metric');

/** The last result per cell, for the same trees and settings: the chart compares the cells. */
const byCell = new Map<Cell, RunResult>();
let current: RunResult | undefined;
let metric: Metric = 'gh';
let runs = 0;
let gpuPromise: Promise<Gpu> | undefined;

/** The page's device, asked for once; asked for again after a device loss. */
function gpu(): Promise<Gpu> {
  if (!gpuPromise) {
    const promise = getGpu({
      onError: (message) => {
        showError(message);
        if (message.includes('device lost')) gpuPromise = undefined;
      },
    });
    promise.then(
      (g) => {
        showAdapter(g);
        byId('adapter-pill').textContent = adapterName(g);
      },
      (error: unknown) => {
        showNoAdapter(messageOf(error));
        byId('adapter-pill').textContent = 'no WebGPU';
        gpuPromise = undefined;
      },
    );
    gpuPromise = promise;
  }
  return gpuPromise;
}

function setStatus(state: 'busy' | 'done' | 'error', text: string): void {
  statusLine.dataset.state = state;
  statusLine.dataset.runs = String(runs);
  statusLine.textContent = text;
}

/** Shows an error; for a malformed tree, the offending line with a caret, and selects the spot. */
function showError(message: string, error?: InputError): void {
  errorBox.hidden = false;
  errorBox.replaceChildren(h('strong', {}, message));
  if (error?.line === undefined || error.column === undefined) return;
  const lines = input.trees.value.split('\n');
  const line = lines[error.line - 1] ?? '';
  const from = Math.max(0, error.column - 41);
  const excerpt = `${from > 0 ? '…' : ''}${line.slice(from, from + 80)}`;
  const caret = ' '.repeat(error.column - 1 - from + (from > 0 ? 1 : 0)) + '^';
  errorBox.append(h('pre', {}, `${excerpt}\n${caret}`));
  const start = lines.slice(0, error.line - 1).reduce((n, l) => n + l.length + 1, 0) + error.column - 1;
  input.trees.setSelectionRange(start, start + 1);
}

function describe(error: unknown): string {
  if (error instanceof GpuUnavailableError) return `No WebGPU: ${error.message}`;
  if (error instanceof InputError) return error.message;
  return `Could not compute: ${messageOf(error)}`;
}

/** Redraws the results for `current` (the trees, in the chosen colouring, and the chart). */
function render(): void {
  if (!current) return;
  results.hidden = false; // before drawing: the trees are sized to the section's width
  const hasC = REGISTRY[current.request.cell].hasC;
  if (!hasC) metric = 'gh';
  for (const radio of metricBox.querySelectorAll('input')) {
    radio.disabled = radio.value === 'gc' && !hasC;
    radio.checked = radio.value === metric;
  }
  const withC = CELLS.filter((c) => REGISTRY[c].hasC).map((c) => REGISTRY[c].label);
  metricBox.title = hasC ? '' : `gc exists for the ${withC.join(' and ')} only`;
  renderStats(byId('stats'), current);
  renderTrees(byId('tree-views'), byId('legend'), current, metric);
  renderTable(byId('tree-table'), current);
  byId('chart').innerHTML = depthChart([...byCell.values()]);
  byId('chart-note').textContent = chartNote([...byCell.values()]);
  results.classList.remove('stale');
}

/** Reads the form, computes on the GPU and shows the result or the error. */
async function run(): Promise<void> {
  errorBox.hidden = true;
  let request: PageRequest;
  try {
    request = readRequest({
      text: input.trees.value,
      cell: input.cell.value,
      dim: input.dim.value,
      seed: input.seed.value,
      classes: input.classes.value,
      compare: input.compare.checked,
    });
  } catch (error) {
    runs++;
    setStatus('error', 'Fix the input and compute again.');
    showError(describe(error), error instanceof InputError ? error : undefined);
    results.classList.add('stale');
    return;
  }
  computeButton.disabled = true;
  setStatus('busy', `Computing ${REGISTRY[request.cell].label} gradients on the GPU…`);
  try {
    const g = await gpu();
    const result = await compute(g.device, request);
    const keys = ['text', 'dim', 'seed', 'classes'] as const;
    const same = (r: RunResult) => keys.every((k) => r.request[k] === request[k]);
    for (const [cell, r] of byCell) if (!same(r)) byCell.delete(cell);
    byCell.set(request.cell, result);
    current = result;
    render();
    runs++;
    setStatus('done', `Forward and backward of ${request.trees.length} tree(s) on ${adapterName(g)}.`);
  } catch (error) {
    runs++;
    setStatus('error', 'The computation failed.');
    showError(describe(error));
    results.classList.add('stale');
  } finally {
    computeButton.disabled = false;
  }
}

/** Fills the tree box from a generator and computes; a bad generator field is shown as an error. */
function generate(make: () => string): void {
  try {
    input.trees.value = make();
  } catch (error) {
    showError(describe(error));
    return;
  }
  updateClassesHint();
  void run();
}

function updateClassesHint(): void {
  const labels = [...input.trees.value.matchAll(/^\s*\(\s*(\d+)/gm)].map((m) => Number(m[1]));
  input.classes.placeholder = `auto (${autoClasses(labels)})`;
}

byId('form', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
input.trees.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    void run();
  }
});
input.trees.addEventListener('input', updateClassesHint);
metricBox.addEventListener('change', (event) => {
  metric = (event.target as HTMLInputElement).value === 'gc' ? 'gc' : 'gh';
  render();
});
byId('gen-keyword', HTMLButtonElement).addEventListener('click', () =>
  generate(() =>
    keywordTrees(
      intField('dataset', gen.dataset.value, 1, 10),
      intField('seed', gen.seed.value, 0, Number.MAX_SAFE_INTEGER),
      intField('sentences', gen.count.value, 1, 20),
    ),
  ),
);
byId('gen-shape-button', HTMLButtonElement).addEventListener('click', () =>
  generate(() =>
    shapeTree(
      gen.shape.value as Shape,
      intField('leaves', gen.leaves.value, 2, 1000),
      intField('shape seed', gen.shapeSeed.value, 0, Number.MAX_SAFE_INTEGER),
    ),
  ),
);

if (input.trees.value.trim() === '') input.trees.value = keywordTrees(2, 1, 1);
updateClassesHint();
gpu().then(
  () => run(),
  (error: unknown) => {
    runs++;
    setStatus('error', 'No WebGPU adapter: nothing can be computed here.');
    showError(describe(error));
  },
);
