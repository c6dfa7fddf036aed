// Gradients for two trees on the GPU: the loss, and ‖∂J/∂h‖ at every node of each tree in pre-order.
import { getGpu, initParams, nodeResults, parseTree, referenceGrad, TreeEngine } from 'treegrad';

const trees = ['(1 (0 the) (0 (0 k1) (0 cat)))', '(0 (0 a) (0 dog))'].map((text) => parseTree(text));
const params = initParams('rlstm', 16, ['a', 'cat', 'dog', 'k1', 'the'], 2, 1); // cell, d, words, classes, seed

const gpu = await getGpu(); // Dawn in Node (it picks a Vulkan driver), navigator.gpu in a page
const engine = await TreeEngine.create(gpu.device, params);
engine.setParams(params);
const batch = engine.upload(trees); // the roots' labels are the classes
const step = await engine.step(batch); // forward and backward, one submit
const reference = referenceGrad(params, trees); // the same numbers in Float64 on the CPU
console.log(`loss ${step.loss.toFixed(6)} (Float64 reference ${reference.loss.toFixed(6)})`);
for (const [t, nodes] of nodeResults(engine, batch, step).entries()) {
  const cells = nodes.map((n) => `${n.word ?? '•'}@${n.depth} ${n.gh.toExponential(3)}`);
  console.log(`tree ${t + 1}: ${cells.join('  ')}`);
}
engine.dispose();
gpu.destroy();
