// `treegrad grad --device gpu` writes what `--device cpu` writes, to float32 accuracy.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CELLS, REGISTRY } from '../../src/cells/index.ts';
import { compare } from '../../src/check/compare.ts';
import { gradCommand } from '../../src/cli/grad.ts';

const dir = mkdtempSync(join(tmpdir(), 'treegrad-cli-grad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Dump {
  loss: number;
  paramGrads: Record<string, number[]>;
  nodes: { depth: number; gh: number; gc?: number; word?: string }[][];
  ratios: (number | null)[];
}

async function grad(device: 'cpu' | 'gpu', cell: string): Promise<Dump> {
  const trees = join(dir, 'trees.txt');
  writeFileSync(trees, '(1 (0 w1 (0 k3 w2)) (0 w4 w5))\n(2 w9 (0 (0 k7 w1) w3))\n(0 k0)\n');
  const out = join(dir, `${device}-${cell}.json`);
  const code = await gradCommand.run([
    '--cell',
    cell,
    '--trees',
    trees,
    '--dim',
    '5',
    '--seed',
    '3',
    '--device',
    device,
    '--out',
    out,
  ]);
  expect(code).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as Dump;
}

describe('treegrad grad --device gpu', () => {
  for (const cell of CELLS) {
    test(`${cell}: same output as the cpu reference`, async () => {
      const cpu = await grad('cpu', cell);
      const gpu = await grad('gpu', cell);
      expect(Object.keys(gpu.paramGrads)).toEqual(Object.keys(cpu.paramGrads));
      expect(gpu.nodes.map((t) => t.map((n) => [n.depth, n.word]))).toEqual(
        cpu.nodes.map((t) => t.map((n) => [n.depth, n.word])),
      );
      const tol = { atol: 1e-7, rtol: 1e-4 };
      expect(compare('loss', [gpu.loss], [cpu.loss], tol).ok).toBe(true);
      for (const [name, g] of Object.entries(cpu.paramGrads)) {
        const c = compare(name, gpu.paramGrads[name]!, g, tol);
        expect(c.normwise, name).toBeLessThan(1e-4);
      }
      const gh = (d: Dump) => d.nodes.flat().map((n) => n.gh);
      expect(compare('gh', gh(gpu), gh(cpu), { atol: 0, rtol: 1e-4 }).ok).toBe(true);
      if (REGISTRY[cell].hasC) {
        const gc = (d: Dump) => d.nodes.flat().map((n) => n.gc ?? Number.NaN);
        expect(compare('gc', gc(gpu), gc(cpu), { atol: 0, rtol: 1e-4 }).ok).toBe(true);
      }
      expect(
        compare('ratios', gpu.ratios as number[], cpu.ratios as number[], { atol: 0, rtol: 1e-4 }).ok,
      ).toBe(true);
    });
  }
});
