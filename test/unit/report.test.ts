import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  aggregateResults,
  type Cell,
  type ExperimentResult,
  leastSquaresSlope,
  meanStd,
  ratioSlope,
  readResults,
  svgPlot,
  validateResult,
  writeReport,
} from '../../src/report/index.ts';
import { findings, lengthSentence } from '../../src/report/findings.ts';
import { niceTicks } from '../../src/report/svg.ts';

/** A small valid result: 2 epochs, depths 1 and 2. */
function result(over: Partial<ExperimentResult> = {}): ExperimentResult {
  return {
    dataset: 1,
    cell: 'rnn',
    seed: 1,
    dim: 50,
    epochs: 2,
    bestEpoch: 2,
    testAccuracy: 0.6,
    accuracyByDepth: { '1': { n: 10, accuracy: 0.8 }, '2': { n: 30, accuracy: 0.5 } },
    log10RatioByDepth: [
      { epoch: 0, byDepth: { '1': { n: 10, mean: -1 }, '2': { n: 30, mean: -2 } } },
      { epoch: 1, byDepth: { '1': { n: 10, mean: -1.5 }, '2': { n: 30, mean: -2.5 } } },
      { epoch: 2, byDepth: { '1': { n: 10, mean: -1.5 }, '2': { n: 28, mean: -3, excluded: 2 } } },
    ],
    trainLoss: [1.5, 1.2],
    devAccuracy: [0.5, 0.6],
    trainSize: 100,
    devSize: 40,
    testSize: 40,
    seconds: 1.5,
    ...over,
  };
}

/** The error message validateResult throws for `value`. */
function problems(value: unknown): string {
  try {
    validateResult(value, 'runs/results/1-rnn-1.json');
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the result to be rejected');
}

describe('result schema', () => {
  it('accepts a good result, with and without the optional fields', () => {
    expect(validateResult(result(), 'x')).toEqual(result());
    expect(validateResult({ ...result(), classes: 3 }, 'x').classes).toBe(3);
  });

  it('rejects a missing field, a wrong type and an extra field, naming the file and each path', () => {
    const { seconds: _, ...missing } = result();
    expect(problems(missing)).toMatch(/^runs\/results\/1-rnn-1\.json: .*\n {2}\/seconds: is required/);
    expect(problems({ ...result(), dim: '50' })).toContain('/dim: must be integer');
    expect(problems({ ...result(), cell: 'lstm' })).toContain(
      '/cell: must be equal to one of the allowed values',
    );
    expect(problems({ ...result(), gpu: 'h200' })).toContain('/gpu: is not allowed here');
    const nested = result();
    (nested.log10RatioByDepth[1]?.byDepth['2'] as unknown as Record<string, unknown>)['mean'] = 'low';
    expect(problems(nested)).toContain('/log10RatioByDepth/1/byDepth/2/mean: must be number,null');
    expect(problems({ ...result(), accuracyByDepth: { deep: { n: 1, accuracy: 1 } } })).toContain(
      '/accuracyByDepth/deep: is not a depth',
    );
  });

  it('lists every problem at once, and cross-field ones', () => {
    const message = problems({ ...result(), dim: -1, testAccuracy: 2, extra: 1 });
    expect(message.split('\n').slice(1)).toHaveLength(3);
    expect(problems(result({ trainLoss: [1] }))).toContain(
      '/trainLoss: has 1 entries, expected one per epoch (2)',
    );
    expect(problems(result({ bestEpoch: 3 }))).toContain('/bestEpoch: 3 is past the last epoch');
  });
});

describe('aggregation', () => {
  const a = result({ seed: 1, testAccuracy: 0.6 });
  const b = result({
    seed: 2,
    testAccuracy: 0.8,
    bestEpoch: 1,
    accuracyByDepth: { '1': { n: 30, accuracy: 0.4 }, '3': { n: 5, accuracy: 0.2 } },
    log10RatioByDepth: [
      { epoch: 0, byDepth: { '1': { n: 30, mean: -3 } } },
      {
        epoch: 2,
        byDepth: { '1': { n: 20, mean: -0.5, excluded: 10 }, '3': { n: 0, mean: null, excluded: 5 } },
      },
    ],
  });

  it('pools two seeds: mean ± std, Σ correct / Σ n, n-weighted ratio means per epoch', () => {
    const [s] = aggregateResults([b, a]);
    expect(s?.seeds).toEqual([1, 2]);
    expect(s?.bestEpochs).toEqual([2, 1]);
    expect(s?.testAccuracy.mean).toBeCloseTo(0.7, 12);
    expect(s?.testAccuracy.std).toBeCloseTo(Math.SQRT2 * 0.1, 12);
    // depth 1: (0.8·10 + 0.4·30) / 40 = 0.5; depth 2 from seed 1 only; depth 3 from seed 2 only.
    expect(s?.accuracyByDepth).toEqual([
      { depth: 1, n: 40, accuracy: 0.5 },
      { depth: 2, n: 30, accuracy: 0.5 },
      { depth: 3, n: 5, accuracy: expect.closeTo(0.2, 12) },
    ]);
    const init = s?.ratios.find((e) => e.epoch === 0);
    expect(init?.seeds).toBe(2);
    expect(init?.byDepth[0]).toEqual({ depth: 1, n: 40, mean: (-1 * 10 + -3 * 30) / 40, excluded: 0 });
    expect(s?.ratios.find((e) => e.epoch === 1)?.seeds).toBe(1);
    expect(s?.finalRatios).toEqual([
      { depth: 1, n: 30, mean: (-1.5 * 10 + -0.5 * 20) / 30, excluded: 10 },
      { depth: 2, n: 28, mean: -3, excluded: 2 },
      { depth: 3, n: 0, mean: null, excluded: 5 },
    ]);
  });

  it('keeps (dataset, cell) groups apart and refuses a repeated seed', () => {
    const groups = aggregateResults([a, result({ cell: 'rlstm' }), result({ dataset: 2 })]);
    expect(groups.map((g) => `${g.dataset}-${g.cell}`)).toEqual(['1-rnn', '1-rlstm', '2-rnn']);
    expect(() => aggregateResults([a, a])).toThrow(/seed 1 appears twice/);
  });

  it('computes least-squares slopes, means and standard deviations', () => {
    const line = [1, 2, 3, 4, 5, 6].map((depth) => ({ depth, n: 50, mean: 0.3 - 0.45 * depth, excluded: 0 }));
    expect(ratioSlope(line)).toBeCloseTo(-0.45, 12);
    // A thin depth is left out when enough others remain.
    expect(ratioSlope([...line, { depth: 9, n: 2, mean: 5, excluded: 0 }], 10)).toBeCloseTo(-0.45, 12);
    expect(leastSquaresSlope([{ x: 1, y: 2 }])).toBeNull();
    expect(meanStd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: Math.sqrt(32 / 7), count: 8 });
  });
});

/** A synthetic experiment: RNN ratios fall 0.5 per level and accuracy sinks to chance; RLSTM holds. */
function synthetic(dataset: number, cell: Cell, seed: number): ExperimentResult {
  const depths = [1, 2, 3, 4, 5, 6, 7, 8];
  const rnn = cell === 'rnn';
  const table = (f: (d: number) => number) =>
    Object.fromEntries(depths.map((d) => [String(d), { n: 40, mean: f(d) }]));
  return {
    dataset,
    cell,
    seed,
    dim: 8,
    epochs: 3,
    bestEpoch: 3,
    testAccuracy: rnn ? 0.5 + 0.01 * seed : 0.95,
    accuracyByDepth: Object.fromEntries(
      depths.map((d) => [String(d), { n: 40, accuracy: rnn ? Math.max(0.2, 1 - 0.15 * d) : 0.95 }]),
    ),
    log10RatioByDepth: [0, 1, 2, 3].map((epoch) => ({
      epoch,
      byDepth: table((d) => (rnn ? -0.4 * d - 0.1 * epoch * (d / 2) : -0.1 * d)),
    })),
    trainLoss: [1, 0.8, 0.7],
    devAccuracy: [0.4, 0.5, 0.6],
    trainSize: 400,
    devSize: 320,
    testSize: 320,
    seconds: 2,
  };
}

describe('writeReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'treegrad-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'results'));
  for (const cell of ['rnn', 'rlstm'] as const) {
    for (const seed of [1, 2]) {
      writeFileSync(join(dir, 'results', `3-${cell}-${seed}.json`), JSON.stringify(synthetic(3, cell, seed)));
    }
  }

  it('writes a self-contained report.html with every plot, and summary.md with the depth table', () => {
    const report = writeReport(dir);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toBe(report.html);
    // Per dataset: accuracy and log10 r (init and end) by depth, the two training curves, one
    // per-epoch ratio plot per cell; and the scatter.
    expect(html.match(/<svg /g)).toHaveLength(7);
    for (const title of [
      'Dataset 3: test accuracy by keyword depth',
      'Dataset 3: mean log10 r by keyword depth',
      'Dataset 3: training loss per epoch',
      'Dataset 3: dev accuracy per epoch',
      'Accuracy against gradient ratio',
      'RNN: mean',
      'RLSTM: mean',
    ]) {
      expect(html).toContain(title);
    }
    // Cells differ by marker as well as colour; two seeds give error bars; legends name every series.
    expect(html).toMatch(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#f28e2b"/);
    expect(html).toMatch(/RLSTM init<\/text>[\s\S]*RLSTM end<\/text>/);
    expect(html).toContain('Every epoch is shown');
    for (const name of ['test-accuracy.csv', 'dataset-3.csv'])
      expect(readFileSync(join(dir, 'tables', name), 'utf8').split('\n')[0]).toMatch(
        /^(dataset,cell|depth,n)/,
      );
    expect(readFileSync(join(dir, 'tables', 'dataset-3.csv'), 'utf8')).toContain(
      '4,80,40.0,95.0,-1.60,-2.20,-0.40,-0.40',
    );
    expect(html).not.toMatch(/https?:\/\/|\bsrc=|\bhref=|<script|url\(/i);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary).toBe(report.summary);
    expect(summary).toContain('## Dataset 3 (sentence length 21–30)');
    expect(summary).toContain('RNN 51.5 ± 0.7 % (2 seeds');
    // depth 4: RNN accuracy 40 %, RLSTM 95 %; RNN log10 r −1.6 at init, −2.2 after epoch 3; RLSTM −0.4.
    expect(summary).toContain('| 4 | 80 | 40.0 | 95.0 | -1.60 | -2.20 | -0.40 | -0.40 |');
    expect(report.table).toMatch(/\n\s+4\s+80\s+40\.0\s+95\.0\s+-1\.60\s+-2\.20\s+-0\.40\s+-0\.40\n/);
  });

  it('computes its findings from the numbers', () => {
    const shows = findings(aggregateResults(readResults(dir)));
    expect(shows).toContain('RNN accuracy falls below 60.0 % from depth 3 on (lowest 20.0 % at depth 6');
    expect(shows).toContain('RLSTM accuracy stays at or above 95.0 % at every keyword depth');
    expect(shows).toContain(
      'RNN log10 r falls by about 0.55 per level of depth (slope -0.40 at initialisation)',
    );
    expect(shows).toContain('RLSTM log10 r falls by about 0.10');
    expect(shows).toContain("The RLSTM's ratio falls least; the RNN's 5.5 times as fast.");
  });

  it('names a bad result file', () => {
    const bad = mkdtempSync(join(tmpdir(), 'treegrad-report-bad-'));
    mkdirSync(join(bad, 'results'));
    writeFileSync(join(bad, 'results', '1-rnn-1.json'), JSON.stringify({ ...result(), epochs: 'two' }));
    expect(() => writeReport(bad)).toThrow(
      /1-rnn-1\.json: not a valid result file[\s\S]*\/epochs: must be integer/,
    );
    writeFileSync(join(bad, 'results', '1-rnn-1.json'), '{ not json');
    expect(() => readResults(bad)).toThrow(/1-rnn-1\.json: not readable JSON/);
    rmSync(bad, { recursive: true, force: true });
  });
});

describe('gradient reach in the report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'treegrad-reach-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'results'));
  // RNN: −0.8 per level of node depth at initialisation, −1.1 after training; RLSTM: −0.2 and −0.1.
  const reach = (perLevel: number) => {
    const table = Object.fromEntries(
      [1, 2, 3, 4, 5, 6].map((d) => [String(d), { n: 20, mean: perLevel * d }]),
    );
    return { nodes: table, leaves: table };
  };
  for (const cell of ['rnn', 'rlstm'] as const) {
    for (const seed of [1, 2]) {
      const r = synthetic(4, cell, seed);
      const [init, end] = cell === 'rnn' ? [-0.8, -1.1] : [-0.2, -0.1];
      r.reach = [
        { epoch: 0, ...reach(init) },
        { epoch: 3, ...reach(end) },
      ];
      writeFileSync(join(dir, 'results', `4-${cell}-${seed}.json`), JSON.stringify(r));
    }
  }

  it('validates, pools over seeds, plots next to accuracy and says where each cell loses the signal', () => {
    const report = writeReport(dir);
    const [rnn] = aggregateResults(readResults(dir));
    expect(rnn?.reach?.end.nodes[2]).toEqual({ depth: 3, n: 40, mean: expect.closeTo(-3.3, 12) });
    expect(report.html).toContain('Dataset 4: gradient reach by node depth');
    expect(report.html).toContain('10⁻³ of the root');
    expect(report.html.match(/<svg /g)).toHaveLength(8);
    expect(report.summary).toContain(
      'Gradient reach, mean gh(n)/gh(root) by node depth after training: ' +
        'RNN below 10⁻³ from depth 3 (at initialisation: below 10⁻³ from depth 4); ' +
        'RLSTM above 10⁻³ down to depth 6 (at initialisation: above 10⁻³ down to depth 6).',
    );
  });

  it('reports a treebank (dataset 0) by its reach, without keyword figures', () => {
    const tb = mkdtempSync(join(tmpdir(), 'treegrad-treebank-'));
    try {
      mkdirSync(join(tb, 'results'));
      for (const cell of ['rnn', 'rlstm'] as const) {
        const r = synthetic(0, cell, 1);
        r.accuracyByDepth = {};
        r.log10RatioByDepth = [0, 1, 2, 3].map((epoch) => ({ epoch, byDepth: {} }));
        r.testNodeAccuracy = cell === 'rnn' ? 0.7 : 0.8;
        r.reach = [
          { epoch: 0, ...reach(cell === 'rnn' ? -0.8 : -0.2) },
          { epoch: 3, ...reach(cell === 'rnn' ? -1.1 : -0.1) },
        ];
        writeFileSync(join(tb, 'results', `0-${cell}-1.json`), JSON.stringify(r));
      }
      const report = writeReport(tb);
      expect(report.summary).toContain('# treegrad: treebank report');
      expect(report.summary).toContain('## Treebank treebank (your own trees)');
      expect(report.summary).toContain(
        'Test accuracy at every labelled node: RNN 70.0 ± 0.0 %, RLSTM 80.0 ± 0.0 %.',
      );
      expect(report.summary).toContain('RNN below 10⁻³ from depth 3');
      expect(report.summary).toContain('| 3 | 20 | -2.40 | -3.30 | 20 | -0.60 | -0.30 |');
      expect(report.html).not.toContain('keyword depth');
      // Loss and dev accuracy per epoch, the reach by node depth and by leaf depth.
      expect(report.html.match(/<svg /g)).toHaveLength(4);
      expect(readFileSync(join(tb, 'tables', 'treebank-reach.csv'), 'utf8').split('\n')[0]).toBe(
        'node depth,RNN n,RNN init,RNN end,RLSTM n,RLSTM init,RLSTM end',
      );
    } finally {
      rmSync(tb, { recursive: true, force: true });
    }
  });

  it('rejects a malformed reach table by path', () => {
    const bad = { ...result(), reach: [{ epoch: 0, nodes: { '1': { n: 3 } }, leaves: {} }] };
    expect(problems(bad)).toMatch(/\/reach\/0\/nodes\/1/);
  });
});

describe('svg plot', () => {
  it('draws axes, ticks, legend and gaps for missing points', () => {
    const svg = svgPlot({
      title: 'T <1>',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          label: 'a & b',
          points: [
            { x: 0, y: 1 },
            { x: 1, y: null },
            { x: 2, y: 3 },
            { x: 3, y: 4 },
          ],
        },
      ],
      refLines: [{ y: 2, label: 'chance' }],
    });
    expect(svg).toContain('T &lt;1&gt;');
    expect(svg).toContain('a &amp; b');
    expect(svg.match(/<path d="M[^"]*"/)?.[0].match(/M/g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-3.7, 0)).toEqual([-4, -3, -2, -1, 0]);
    expect(niceTicks(1, 3, 6, true)).toEqual([1, 2, 3]);
  });

  it('a log y axis: ticks at powers of ten, y ≤ 0 left out (the benchmark report draws rates with it)', () => {
    const points = [
      { x: 1, y: 20 },
      { x: 2, y: 0 },
      { x: 3, y: 3000 },
    ];
    const svg = svgPlot({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ label: 'r', points }],
      logY: true,
    });
    for (const tick of ['>10<', '>100<', '>1000<', '>10000<']) expect(svg).toContain(tick);
    expect(svg.match(/<path d="M[^"]*"/)?.[0].match(/M/g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(3);
  });
});

describe('findings across sentence lengths', () => {
  const at = (acc: Record<string, [number, number]>) =>
    Object.fromEntries(Object.entries(acc).map(([d, [n, accuracy]]) => [d, { n, accuracy }]));
  it('says when a cell fails even for shallow keywords on long sentences, and names the length', () => {
    const short = result({
      dataset: 2,
      accuracyByDepth: at({ '1': [20, 1], '2': [30, 0.97], '3': [25, 0.96], '6': [20, 0.9] }),
    });
    const long = result({
      dataset: 10,
      accuracyByDepth: at({ '2': [15, 0.2], '3': [20, 0.25], '8': [40, 0.18], '12': [30, 0.21] }),
    });
    const cells = aggregateResults([short, long]);
    const ten = findings(cells.filter((c) => c.dataset === 10));
    expect(ten).toMatch(
      /near chance even for keywords at depth ≤ 3, so it fails on this dataset's sentences \(91–100 words\)/,
    );
    const across = lengthSentence(cells);
    expect(across).toMatch(
      /^RNN classifies keywords at depth ≤ 3 with 97\.\d % on dataset 2 \(11–20 words\) but 22\.\d % \(near chance\) on dataset 10/,
    );
    // Shallow keywords learned on both: no such sentence.
    const both = aggregateResults([short, { ...short, dataset: 3 }]);
    expect(lengthSentence(both)).toBe('');
  });
});
