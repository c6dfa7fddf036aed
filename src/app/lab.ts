// The lab (index.html, "Train"): reads its form, trains the chosen cells side by side with the
// CLI's train() loop on the page's device, and keeps the progress line, the results table, the
// live figures and the tree inspector up to date; exports results, figures and parameters.
import { REGISTRY } from '../cells/index.ts';
import type { Dataset } from '../train/dataset.ts';
import { byId, h, messageOf } from './dom.ts';
import { nextTask, pageGpu, pageKernels } from './gpu.ts';
import { InputError } from './inputs.ts';
import { FigureBoard } from './lab-charts.ts';
import { labConfig, type LabSettings, OwnTreesError, readLabForm } from './lab-data.ts';
import { loadDataset } from './lab-data-client.ts';
import { labFigures } from './lab-figures.ts';
import { download, downloadJson, resultsCsv, resultsJson, runParams } from './lab-files.ts';
import { Inspector } from './lab-inspector.ts';
import { OwnInputs } from './lab-own.ts';
import { type CellRun, LabRun, trackedExamples } from './lab-run.ts';

const el = {
  form: byId('lab-form', HTMLFormElement),
  dataset: byId('lab-dataset', HTMLInputElement),
  train: byId('lab-train', HTMLInputElement),
  dev: byId('lab-dev', HTMLInputElement),
  test: byId('lab-test', HTMLInputElement),
  cells: byId('lab-cells', HTMLFieldSetElement),
  dim: byId('lab-dim', HTMLInputElement),
  lr: byId('lab-lr', HTMLInputElement),
  batch: byId('lab-batch', HTMLInputElement),
  epochs: byId('lab-epochs', HTMLInputElement),
  seed: byId('lab-seed', HTMLInputElement),
  start: byId('lab-start', HTMLButtonElement),
  pause: byId('lab-pause', HTMLButtonElement),
  stop: byId('lab-stop', HTMLButtonElement),
  progress: byId('lab-progress', HTMLProgressElement),
  progressText: byId('lab-progress-text'),
  status: byId('lab-status'),
  error: byId('lab-error'),
  results: byId('lab-results'),
  figures: byId('lab-figures'),
  exportJson: byId('lab-export-json', HTMLButtonElement),
  exportCsv: byId('lab-export-csv', HTMLButtonElement),
  saveCell: byId('lab-save-cell', HTMLSelectElement),
  saveParams: byId('lab-save-params', HTMLButtonElement),
};

/** How often the progress line is redrawn while training (ms). */
const PROGRESS_EVERY_MS = 250;

const board = new FigureBoard(el.figures);
const own = new OwnInputs(el.form);
const inspector = new Inspector({
  sentence: byId('lab-sentence', HTMLSelectElement),
  epoch: byId('lab-epoch', HTMLInputElement),
  epochLabel: byId('lab-epoch-label', HTMLOutputElement),
  metric: byId('lab-metric', HTMLFieldSetElement),
  legend: byId('lab-legend'),
  trees: byId('lab-trees'),
  hover: byId('lab-hover'),
});

let current: { run: LabRun; data: Dataset; settings: LabSettings } | undefined;
let renderTimer: ReturnType<typeof setTimeout> | undefined;
let lastEpochs = '';

// The cell choices, from the registry: all checked.
el.cells.append(
  ...Object.entries(REGISTRY).map(([cell, def]) =>
    h(
      'label',
      { class: 'check' },
      h('input', { type: 'checkbox', name: 'lab-cell', value: cell, checked: '' }),
      h('span', { class: 'swatch', style: `background:${def.colour}` }),
      def.label,
    ),
  ),
);

function dataKind(): string {
  return (
    (el.form.querySelector('input[name="lab-data"]:checked') as HTMLInputElement | null)?.value ?? 'keyword'
  );
}

function setStatus(state: string, text: string): void {
  el.status.dataset.state = state;
  el.status.textContent = text;
}

/** Shows an error; for a malformed tree, its line with a caret under the column. */
function showError(message: string, error?: InputError, text?: string): void {
  el.error.hidden = false;
  el.error.replaceChildren(h('strong', {}, message));
  if (error?.line === undefined || error.column === undefined || text === undefined) return;
  const line = text.split('\n')[error.line - 1] ?? '';
  const from = Math.max(0, error.column - 41);
  const excerpt = `${from > 0 ? '…' : ''}${line.slice(from, from + 80)}`;
  const caret = `${' '.repeat(error.column - 1 - from + (from > 0 ? 1 : 0))}^`;
  el.error.append(h('pre', {}, `${excerpt}\n${caret}`));
}

/** Buttons for the state: idle (start), running or paused (pause/resume, stop). */
function setButtons(running: boolean): void {
  el.start.disabled = running;
  el.pause.disabled = !running;
  el.stop.disabled = !running;
  el.pause.textContent = current?.run.isPaused ? 'Resume' : 'Pause';
  const trained = current?.run.runs.filter((r) => r.bestTheta) ?? [];
  el.exportJson.disabled = !current;
  el.exportCsv.disabled = !current;
  el.saveParams.disabled = trained.length === 0;
  const chosen = el.saveCell.value;
  el.saveCell.replaceChildren(...trained.map((r) => h('option', { value: r.cell }, REGISTRY[r.cell].label)));
  if (trained.some((r) => r.cell === chosen)) el.saveCell.value = chosen;
}

/** Steps done and in all, over every cell. */
function stepCounts(runs: readonly CellRun[]): { done: number; total: number } {
  let done = 0;
  let total = 0;
  for (const r of runs) {
    const all = r.steps * r.config.epochs;
    total += all;
    done += r.status === 'done' ? all : Math.min(all, r.epoch * r.steps + r.step);
  }
  return { done, total };
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** The progress bar and its line: steps, steps/s and the time left at that rate. */
function renderProgress(): void {
  if (!current) return;
  const { run } = current;
  const { done, total } = stepCounts(run.runs);
  const seconds = run.activeSeconds();
  const rate = done / Math.max(1e-3, seconds);
  el.progress.max = total;
  el.progress.value = done;
  const left = done > 0 ? (total - done) / rate : Number.NaN;
  const finished = run.runs.every((r) => !['waiting', 'running'].includes(r.status));
  el.progressText.textContent =
    `${done} / ${total} steps · ${rate.toFixed(1)} steps/s · ` +
    (finished ? `took ${duration(seconds)}` : run.isPaused ? 'paused' : `about ${duration(left)} left`);
  el.progressText.dataset.done = String(done);
  el.progressText.dataset.total = String(total);
}

/** The results table: per cell, status, epochs, last loss and dev accuracy, best epoch, test accuracy. */
function renderTable(runs: readonly CellRun[]): void {
  const head = ['cell', 'status', 'epoch', 'train loss', 'dev accuracy', 'best epoch', 'test accuracy'];
  const cellOf = (key: string, value: number | undefined, text: string) =>
    h('td', { 'data-key': key, 'data-value': value === undefined ? '' : String(value) }, text);
  const rows = runs.map((r) => {
    const loss = r.history.trainLoss.at(-1);
    const dev = r.history.devAccuracy.at(-1);
    const test = r.outcome?.testAccuracy;
    return h(
      'tr',
      { 'data-cell': r.cell },
      h(
        'td',
        {},
        h('span', { class: 'swatch', style: `background:${REGISTRY[r.cell].colour}` }),
        REGISTRY[r.cell].label,
      ),
      h('td', { title: r.error ?? '' }, r.status + (r.error ? `: ${r.error}` : '')),
      cellOf('epoch', r.history.trainLoss.length, `${r.history.trainLoss.length} / ${r.config.epochs}`),
      cellOf('trainLoss', loss, loss === undefined ? '—' : loss.toFixed(4)),
      cellOf('devAccuracy', dev, dev === undefined ? '—' : `${(100 * dev).toFixed(1)}%`),
      cellOf('bestEpoch', r.bestEpoch || undefined, r.bestEpoch ? String(r.bestEpoch) : '—'),
      cellOf('testAccuracy', test, test === undefined ? '—' : `${(100 * test).toFixed(1)}%`),
    );
  });
  el.results.replaceChildren(
    h(
      'table',
      { class: 'per-tree' },
      h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
      h('tbody', {}, ...rows),
    ),
  );
}

/** A fingerprint of what the per-epoch views show: they redraw only when it changes. */
function epochKey(runs: readonly CellRun[]): string {
  return runs
    .map(
      (r) =>
        `${r.status}:${r.history.trainLoss.length}:${r.norms.length}:${r.history.log10RatioByDepth.length}`,
    )
    .join(',');
}

let rendering: Promise<void> | undefined;
let renderAgain = false;

/** Which figures the data has: keyword depths (the keyword task, or own trees with k-words), own trees. */
function figureKinds(data: Dataset, settings: LabSettings): { keywords: boolean; own: boolean } {
  return { keywords: data.test.some((e) => e.keywordDepth !== undefined), own: settings.data.kind === 'own' };
}

/** Everything that changes per epoch: table, figures, inspector; one piece per task. */
async function renderEpochs(): Promise<void> {
  if (rendering) {
    renderAgain = true;
    return rendering;
  }
  rendering = (async () => {
    do {
      renderAgain = false;
      if (!current) break;
      const { run, data, settings } = current;
      lastEpochs = epochKey(run.runs);
      renderTable(run.runs);
      await nextTask();
      board.show(labFigures(run.runs, data.classes, figureKinds(data, settings)));
      await nextTask();
      await inspector.showInTasks();
      el.status.dataset.epochs = String(Math.min(...run.runs.map((r) => r.history.trainLoss.length)));
      setButtons(run.runs.some((r) => ['waiting', 'running'].includes(r.status)));
    } while (renderAgain);
  })();
  try {
    await rendering;
  } finally {
    rendering = undefined;
  }
}

let progressTimer: ReturnType<typeof setTimeout> | undefined;

/** Called on every change of a run: progress (4 times a second), the per-epoch views when an epoch has ended. */
function onChange(): void {
  if (progressTimer === undefined)
    progressTimer = setTimeout(() => {
      progressTimer = undefined;
      renderProgress();
    }, PROGRESS_EVERY_MS);
  if (!current) return;
  if (current.run.isPaused) updatePaused();
  if (epochKey(current.run.runs) === lastEpochs || renderTimer) return;
  renderTimer = setTimeout(() => {
    renderTimer = undefined;
    void renderEpochs();
  }, 50);
}

/** While pausing: "paused" once every running cell waits between two steps. */
function updatePaused(): void {
  if (!current?.run.isPaused) return;
  if (current.run.allHeld()) {
    renderProgress();
    setStatus('paused', 'Paused between two steps. Resume goes on exactly where it stopped.');
  } else setStatus('pausing', 'Pausing: finishing the steps already on the GPU…');
}

/** Reads the form, makes the data (in a worker), and trains every chosen cell. */
async function start(): Promise<void> {
  el.error.hidden = true;
  let settings: LabSettings;
  let data: Dataset;
  try {
    settings = readLabForm({
      dataKind: dataKind(),
      dataset: el.dataset.value,
      train: el.train.value,
      dev: el.dev.value,
      test: el.test.value,
      ...own.values(),
      cells: [...el.cells.querySelectorAll('input:checked')].map((i) => (i as HTMLInputElement).value),
      dim: el.dim.value,
      lr: el.lr.value,
      batch: el.batch.value,
      epochs: el.epochs.value,
      seed: el.seed.value,
    });
    setStatus('busy', settings.data.kind === 'keyword' ? 'Generating the data…' : 'Reading the trees…');
    el.start.disabled = true;
    const made = await loadDataset(settings).finally(() => {
      el.start.disabled = false;
    });
    data = made.data;
    await nextTask();
    own.showSummary(made.summary);
  } catch (error) {
    own.showSummary(undefined);
    setStatus('error', 'Fix the settings and start again.');
    const text = error instanceof OwnTreesError ? own.textOf(error.source) : undefined;
    showError(messageOf(error), error instanceof InputError ? error : undefined, text);
    return;
  }
  let device: GPUDevice;
  try {
    device = (await pageGpu()).device;
  } catch (error) {
    setStatus('error', 'No WebGPU: training needs a GPU adapter.');
    showError(`No WebGPU: ${messageOf(error)}`);
    return;
  }
  const configs = settings.cells.map((cell) => labConfig(settings, cell));
  lastEpochs = '';
  const run = new LabRun(device, data, configs, pageKernels(device), onChange);
  current = { run, data, settings };
  setButtons(true);
  // The figures, all of them, before the first step; the inspector in the next task.
  board.show(labFigures(run.runs, data.classes, figureKinds(data, settings)));
  await nextTask();
  inspector.reset(trackedExamples(data), run.runs);
  const names = settings.cells.map((c) => REGISTRY[c].label).join(', ');
  setStatus(
    'running',
    `Training ${names} on ${data.name} (${data.train.length} / ${data.dev.length} / ${data.test.length} trees).`,
  );
  void renderEpochs();
  await run.done;
  if (renderTimer) clearTimeout(renderTimer);
  renderTimer = undefined;
  await renderEpochs();
  renderProgress();
  setButtons(false);
  const failed = run.runs.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    setStatus('error', 'Training failed.');
    showError(failed.map((r) => `${REGISTRY[r.cell].label}: ${r.error}`).join('\n'));
  } else if (run.runs.some((r) => r.status === 'stopped')) {
    setStatus('stopped', 'Stopped. The figures and exports hold the epochs finished before the stop.');
  } else {
    const best = run.runs
      .map((r) => `${REGISTRY[r.cell].label} ${(100 * (r.outcome?.testAccuracy ?? 0)).toFixed(1)}%`)
      .join(', ');
    setStatus('done', `Done. Test accuracy at the best dev epoch: ${best}.`);
  }
}

el.form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!el.start.disabled) void start();
});
el.pause.addEventListener('click', () => {
  if (!current) return;
  if (current.run.isPaused) {
    current.run.resume();
    setStatus('running', 'Training (resumed).');
  } else {
    current.run.pause();
    updatePaused();
  }
  el.pause.textContent = current.run.isPaused ? 'Resume' : 'Pause';
  renderProgress();
});
el.stop.addEventListener('click', () => current?.run.stop());
el.exportJson.addEventListener('click', () => {
  if (current) downloadJson('treegrad-lab-results.json', resultsJson(current.data, current.run.runs));
});
el.exportCsv.addEventListener('click', () => {
  if (!current) return;
  const csv = resultsCsv(resultsJson(current.data, current.run.runs));
  download('treegrad-lab-results.csv', new Blob([csv], { type: 'text/csv' }));
});
el.saveParams.addEventListener('click', () => {
  const run = current?.run.runs.find((r) => r.cell === el.saveCell.value);
  if (!current || !run) return;
  try {
    downloadJson(`${run.cell}-params.json`, runParams(current.data, run));
  } catch (error) {
    showError(messageOf(error));
  }
});

/** Arms the lab once the page knows whether it has WebGPU. */
export function enableLab(available: boolean, reason = ''): void {
  setButtons(false);
  if (available) {
    setStatus('idle', 'Choose data, cells and settings, then start.');
    if (!current) board.show(labFigures([], 5, { keywords: false, own: false }));
    return;
  }
  el.start.disabled = true;
  setStatus('error', `Training needs WebGPU. ${reason}`);
}
