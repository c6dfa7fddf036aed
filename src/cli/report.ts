// `treegrad report --out DIR`: the report of an experiment's result files (e.g. merged from
// several machines into one DIR/results/).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeReport } from '../report/write.ts';
import { gridStatus, statusLines } from '../train/grid.ts';
import { type Command, UsageError } from './command.ts';

const usage = `Usage: treegrad report --out DIR

Reads DIR/results/*.json (each validated against docs/result.schema.json), writes DIR/report.html
and DIR/summary.md and prints the summary table. Result files from several machines can be
copied into one DIR/results/ and reported together. Against DIR/grid.json (written by
\`experiment\`) it says which points are missing, running (a live lock in DIR/locks/) or failed
(DIR/failed/); it exits 0 only when every point of the grid is done, 1 otherwise.`;

/** The `report` command. */
export const reportCommand: Command = {
  name: 'report',
  summary: 'write the report (HTML plots, summary tables) of an experiment folder',
  usage,
  async run(args) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
    if (values.out === undefined) throw new UsageError('--out DIR is required');
    if (!existsSync(join(values.out, 'results')))
      throw new UsageError(`${values.out} has no results/ folder`);
    const status = statusLines(gridStatus(values.out));
    const report = writeReport(values.out, status);
    console.log(report.table);
    console.log(`\nReport: ${join(values.out, 'report.html')}; tables: ${join(values.out, 'summary.md')}`);
    return status.length === 0 ? 0 : 1;
  },
};
