// Reports of experiment directories: result-file schema, pooling over seeds, SVG plots, report files.
export {
  type Cell,
  type DepthAccuracy,
  type DepthRatio,
  type EpochRatios,
  type ExperimentResult,
  RESULT_SCHEMA_URL,
  validateResult,
} from './schema.ts';
export {
  type CellSummary,
  type EpochRatioSummary,
  type MeanStd,
  type PooledAccuracy,
  type PooledRatio,
  aggregateResults,
  initialRatios,
  leastSquaresSlope,
  meanStd,
  poolAccuracy,
  poolRatios,
  ratioSlope,
  readResults,
  summariseCell,
} from './aggregate.ts';
export { findings } from './findings.ts';
export {
  type PlotOptions,
  type Point,
  type RefLine,
  type Series,
  PALETTE,
  SEQUENTIAL,
  svgPlot,
} from './svg.ts';
export { type Report, buildReport, writeReport } from './write.ts';
