// Node only: training progress on a terminal as one live line; as JSON lines when piped.
import type { TrainHooks } from './loop.ts';

/**
 * Hooks that print progress for a run named `label` (e.g. "dataset 3 rnn seed 1"). With
 * `live: false` a terminal gets only the epoch lines (runs side by side would garble one line).
 */
export function progressHooks(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  options: { live?: boolean } = {},
): TrainHooks {
  const tty = stream.isTTY === true;
  const live = options.live ?? true;
  let t0 = performance.now();
  let last = 0;
  const json = (record: Record<string, unknown>) =>
    stream.write(`${JSON.stringify({ run: label, ...record })}\n`);
  return {
    onStep({ epoch, step, steps, loss }) {
      if (step === 1) t0 = performance.now();
      const now = performance.now();
      if (tty && !live) return;
      if (now - last < (tty ? 200 : 10_000) && step !== steps) return;
      last = now;
      const rate = step / ((now - t0) / 1000);
      if (tty) {
        stream.write(
          `\r\x1b[K${label} epoch ${epoch} step ${step}/${steps} loss ${loss.toFixed(4)} ${rate.toFixed(1)} steps/s`,
        );
      } else {
        json({ event: 'step', epoch, step, steps, loss, stepsPerSec: rate });
      }
    },
    onEpoch({ epoch, trainLoss, devAccuracy, best, seconds }) {
      if (tty) {
        stream.write(
          `\r\x1b[K${label} epoch ${epoch}: train loss ${trainLoss.toFixed(4)}, dev accuracy ${(100 * devAccuracy).toFixed(1)}%${best ? ' (best)' : ''}, ${seconds.toFixed(1)} s\n`,
        );
      } else {
        json({ event: 'epoch', epoch, trainLoss, devAccuracy, best, seconds });
      }
    },
  };
}
