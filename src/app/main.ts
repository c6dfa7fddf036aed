// The interactive page (index.html): trees in, gradients on the GPU, pictures out. Wires the form,
// the generators, the results and the self-check panel; every handler reports its errors in the page.
import { type Gpu, GpuUnavailableError } from '../gpu/device.ts';
import { type Cell, CELLS, REGISTRY } from '../cells/index.ts';
import type { Params } from '../params/params.ts';
import { paramsFromJson } from '../params/json.ts';
import { chartNote, depthChart } from './chart.ts';
import { type RunResult, compute, computeReference } from './compute.ts';
import { byId, h, messageOf } from './dom.ts';
import { onGpuError, pageGpu, prewarmShaders } from './gpu.ts';
import {
  InputError,
  type PageRequest,
  type Shape,
  autoClasses,
  intField,
  keywordTrees,
  readRequest,
  shapeTree,
  withParams,
} from './inputs.ts';
import { enableLab } from './lab.ts';
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
/** Parameters loaded from a file (the CLI's format), used instead of a fresh initialisation. */
let loaded: { params: Params; source: string } | undefined;
/** Whether the page has no WebGPU: the Float64 reference draws the first tree instead. */
let noGpu = false;

/** How to get WebGPU, said plainly. */
const ENABLE_WEBGPU =
  'To enable it: use Chrome or Edge 113 or later (Safari 26, Firefox 141 on Windows) on a machine with a ' +
  'supported GPU, and keep hardware acceleration on (chrome://settings/system). On Linux, start Chrome with ' +
  '--enable-unsafe-webgpu --enable-features=Vulkan. chrome://gpu shows whether WebGPU is available. ' +
  'Meanwhile the Float64 reference below draws the first tree on the CPU.';

onGpuError((message) => showError(message));

/** The page's device; shows the adapter (or why there is none) the first time. */
function gpu(): Promise<Gpu> {
  const promise = pageGpu();
  promise.then(
    (g) => {
      showAdapter(g);
      byId('adapter-pill').textContent = adapterName(g);
    },
    (error: unknown) => {
      showNoAdapter(messageOf(error));
      byId('adapter-pill').textContent = 'no WebGPU';
    },
  );
  return promise;
}

function setStatus(state: 'busy' | 'done' | 'error' | 'reference', text: string): void {
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
    if (loaded) request = withParams(request, loaded.params, loaded.source);
  } catch (error) {
    runs++;
    setStatus('error', 'Fix the input and compute again.');
    showError(describe(error), error instanceof InputError ? error : undefined);
    results.classList.add('stale');
    return;
  }
  if (noGpu) {
    const result = computeReference(request, loaded?.params);
    byCell.clear();
    byCell.set(request.cell, result);
    current = result;
    render();
    runs++;
    setStatus('reference', 'No WebGPU: the Float64 reference drew the first tree on the CPU.');
    return;
  }
  computeButton.disabled = true;
  setStatus('busy', `Computing ${REGISTRY[request.cell].label} gradients on the GPU…`);
  try {
    const g = await gpu();
    const result = await compute(g.device, request, loaded?.params);
    const keys = ['text', 'dim', 'seed', 'classes', 'vocab'] as const;
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

/** Loads a parameter file (the CLI's format): the gradients are then those of the trained model. */
async function loadParamsFile(file: File): Promise<void> {
  const info = byId('params-info');
  try {
    let value: unknown;
    try {
      value = JSON.parse(await file.text());
    } catch (error) {
      throw new InputError(`${file.name}: not valid JSON: ${messageOf(error)}`);
    }
    const params = paramsFromJson(value, file.name);
    loaded = { params, source: file.name };
    input.cell.value = params.cell;
    input.dim.value = String(params.dim);
    input.classes.value = String(params.classes);
    for (const field of [input.cell, input.dim, input.seed, input.classes]) field.disabled = true;
    info.textContent = `${file.name}: ${REGISTRY[params.cell].label}, d = ${params.dim}, ${params.classes} classes, ${params.vocab.length} words`;
    info.dataset.loaded = file.name;
    byId('params-clear', HTMLButtonElement).hidden = false;
    byCell.clear();
    void run();
  } catch (error) {
    runs++;
    setStatus('error', 'The parameter file was refused.');
    showError(messageOf(error));
  }
}

byId('params-file', HTMLInputElement).addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) void loadParamsFile(file);
  (event.target as HTMLInputElement).value = '';
});
byId('params-clear', HTMLButtonElement).addEventListener('click', () => {
  loaded = undefined;
  for (const field of [input.cell, input.dim, input.seed, input.classes]) field.disabled = false;
  input.classes.value = '';
  byId('params-info').textContent = 'fresh initialisation (docs/model.md)';
  delete byId('params-info').dataset.loaded;
  byId('params-clear', HTMLButtonElement).hidden = true;
  byCell.clear();
  void run();
});

if (input.trees.value.trim() === '') input.trees.value = keywordTrees(2, 1, 1);
updateClassesHint();
gpu().then(
  () => {
    enableLab(true);
    return run()
      .then(() => prewarmShaders())
      .then(
        () => {
          document.body.dataset.shaders = 'ready';
        },
        () => {},
      );
  },
  (error: unknown) => {
    noGpu = true;
    enableLab(false, ENABLE_WEBGPU.replace(/ Meanwhile.*$/, ''));
    const notice = byId('gpu-notice');
    notice.hidden = false;
    notice.replaceChildren(h('strong', {}, `No WebGPU: ${messageOf(error)}.`), ` ${ENABLE_WEBGPU}`);
    void run();
  },
);
