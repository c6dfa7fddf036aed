// The engine in a page: gradients of one tree on navigator.gpu, written into #out as JSON.
import { getGpu, initParams, nodeResults, parseTree, TreeEngine } from 'treegrad';

async function main(out: HTMLElement): Promise<void> {
  const tree = parseTree('(1 (0 the) (0 (0 k1) (0 cat)))');
  const params = initParams('rlstm', 16, ['cat', 'k1', 'the'], 2, 1);
  const gpu = await getGpu();
  const engine = await TreeEngine.create(gpu.device, params);
  engine.setParams(params);
  const batch = engine.upload([tree]);
  const step = await engine.step(batch);
  const [nodes] = nodeResults(engine, batch, step);
  out.textContent = JSON.stringify({ adapter: gpu.summary.description, loss: step.loss, nodes }, null, 2);
  out.dataset.state = gpu.errors.length === 0 ? 'done' : 'error';
  engine.dispose();
  gpu.destroy();
}

const out = document.querySelector<HTMLElement>('#out')!;
main(out).catch((error: unknown) => {
  out.textContent = String(error);
  out.dataset.state = 'error';
});
