// `treegrad binarize`: n-ary bracketed trees (Penn Treebank style) to the binary trees the cells
// need, line for line, so line numbers of the output match the input's.
import { parseArgs } from 'node:util';
import { CAPS } from '../engine/limits.ts';
import { checkOutputs, readText, writeAtomic } from '../train/files.ts';
import { binarize, type Factor, formatNaryTree, parseNaryTree } from '../trees/binarize.ts';
import { isSkippedLine } from '../trees/parse.ts';
import { type Command, UsageError } from './command.ts';

const usage = `Usage: treegrad binarize --factor left|right IN OUT

Rewrites every tree of IN as a binary tree and writes OUT (atomically), line for line: blank and
# comment lines are copied, so a tree keeps its line number. A node with n > 2 children becomes
n − 1 binary nodes: --factor right gives (X a (_ b (_ c d))), --factor left (X (_ (_ a b) c) d).
The outermost keeps the node's label; the new ones have none (an all-node loss skips them). A
chain of one-child nodes, such as (NP (NN cat)), collapses into one node with the chain's topmost
label: (NP cat). Labels are copied as they are written (any token). See docs/data.md.`;

/** The `binarize` command. */
export const binarizeCommand: Command = {
  name: 'binarize',
  summary:
    'turn n-ary (Penn Treebank) trees into binary ones: left or right factoring, unary chains collapsed',
  usage,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: { factor: { type: 'string' } },
      allowPositionals: true,
    });
    const factor = values.factor;
    if (factor !== 'left' && factor !== 'right')
      throw new UsageError(
        `--factor must be left or right, got ${factor === undefined ? 'none' : `"${factor}"`}`,
      );
    if (positionals.length !== 2)
      throw new UsageError(`give the input and the output file (IN OUT), got ${positionals.length} paths`);
    const [input, output] = positionals as [string, string];
    checkOutputs([{ flag: 'OUT', path: output }], [{ flag: 'IN', path: input }]);
    const text = readText(input);
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const totals = { trees: 0, factored: 0, added: 0, collapsed: 0 };
    const out = lines.map((line, k) => {
      if (isSkippedLine(line)) return line;
      const tree = parseNaryTree(line, { source: input, line: k + 1, maxNodes: CAPS.treeNodes });
      const { tree: binary, counts } = binarize(tree, factor as Factor);
      totals.trees++;
      totals.factored += counts.factored;
      totals.added += counts.added;
      totals.collapsed += counts.collapsed;
      return formatNaryTree(binary);
    });
    if (totals.trees === 0) throw new UsageError(`${input}: no trees (only blank or # lines)`);
    writeAtomic(output, out.map((l) => `${l}\n`).join(''));
    console.log(
      `${input} → ${output}: ${totals.trees} trees; ${totals.factored} nodes of more than two children ` +
        `factored ${factor} (${totals.added} binary nodes added, unlabelled), ${totals.collapsed} one-child nodes collapsed`,
    );
    return 0;
  },
};
