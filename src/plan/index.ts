// Pure planning: level-major numbering of a minibatch, schedules and dispatch sizing.
export { ceilDiv, computeDispatch } from './dispatch.ts';
export { type LevelPlan, planLevels } from './levels.ts';
export { forwardRanges, SCHEDULES, type Schedule } from './schedule.ts';
