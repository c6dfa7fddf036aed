// The benchmark page: reads its options from the query string, shows progress and a table, and
// leaves the points on window.__bench for the puppeteer driver (bench/run.ts).
import { getGpu } from '../src/gpu/device.ts';
import type { Cell } from '../src/params/shapes.ts';
import type { Schedule } from '../src/plan/schedule.ts';
import { benchEngine, type EnginePoint, formatPoints } from './engine.ts';

declare global {
  interface Window {
    __bench: { done: boolean; adapter?: string; points: EnginePoint[]; error?: string };
  }
}

const state: Window['__bench'] = { done: false, points: [] };
window.__bench = state;
const q = new URLSearchParams(location.search);
const list = (key: string, fallback: string) => (q.get(key) ?? fallback).split(',').filter(Boolean);
const [minLeaves, maxLeaves] = (q.get('leaves') ?? '20-40').split('-').map(Number);
const options = {
  cells: list('cells', 'rnn,rlstm') as Cell[],
  dims: list('dims', '8,50,128').map(Number),
  schedules: list('schedules', 'level,tree,node') as Schedule[],
  trees: Number(q.get('trees') ?? 64),
  minLeaves: minLeaves ?? 20,
  maxLeaves: maxLeaves ?? 40,
  repeats: Number(q.get('repeats') ?? 5),
  seed: Number(q.get('seed') ?? 1),
};
const status = document.getElementById('status')!;
const table = document.getElementById('table')!;
const total = options.cells.length * options.dims.length * options.schedules.length;

async function main(): Promise<void> {
  const gpu = await getGpu({ onError: (m) => console.error(m) });
  state.adapter = `${gpu.summary.vendor} ${gpu.summary.architecture} ${gpu.summary.description}`;
  status.textContent = `${state.adapter}: 0 / ${total} points`;
  await benchEngine(gpu.device, options, (p) => {
    state.points.push(p);
    status.textContent = `${state.adapter}: ${state.points.length} / ${total} points`;
    table.textContent = formatPoints(state.points);
    console.log(
      `point ${state.points.length}/${total}: ${p.cell} d=${p.dim} ${p.schedule} ${p.medianMs.toFixed(2)} ms`,
    );
  });
  gpu.destroy();
}

main()
  .catch((e: unknown) => {
    state.error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
    status.textContent = `failed: ${state.error}`;
  })
  .finally(() => {
    state.done = true;
  });
