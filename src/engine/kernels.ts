// Every pipeline a model needs, built once per device, shape and hidden size (TreeEngine.create).
import type { KernelCache } from '../gpu/kernel.ts';
import { type LevelLaunch, cellSpec, checkCellKernel } from './cells.ts';
import { WG } from './encode.ts';
import { gpuDim } from './param-layout.ts';
import { classifierReduceKernel, reduceKernel } from './reduce.ts';
import type { EngineKernels } from './resources.ts';
import type { ModelShape } from './types.ts';

/**
 * Invocations of the classifier's workgroup (one per target): its loops stride by WG over C
 * classes and D units, and one invocation does the softmax between two barriers, so a wide
 * workgroup is mostly idle. 8 (one CPU vector) up to d = 63: on 64 targets 2–4.7× faster than 64
 * on lavapipe and SwiftShader; 32 (a warp) from d = 64.
 */
function classifierThreads(D: number): number {
  return D >= 64 ? 32 : 8;
}

/**
 * The model's kernels at gpuDim(d): each level kernel in its first shape, or in every shape when
 * `wide` (src/engine/cells.ts, `levelShape`), and the rest of a step's.
 */
export async function engineKernels(
  kernels: KernelCache,
  shape: ModelShape,
  wide: boolean,
): Promise<EngineKernels> {
  const D = gpuDim(shape.dim);
  const spec = cellSpec(shape.cell, D);
  const reduceBy = reduceKernel(D);
  const classReduceBy = classifierReduceKernel();
  const shapes = (launch: LevelLaunch) => (wide ? launch.shapes : launch.shapes.slice(0, 1));
  const [forward, backward] = await Promise.all(
    [spec.forward, spec.backward].map((launch) =>
      Promise.all(shapes(launch).map((s) => kernels.get(launch.shader, s.constants))),
    ),
  );
  const [transpose, leaf, classifier, reduce, classReduce, partials, embed, norms] = await Promise.all([
    kernels.get('transpose_weights', { D, WG }),
    kernels.get('leaf_embed', { D, WG }),
    kernels.get('classifier', { D, C: shape.classes, WG: classifierThreads(D) }),
    kernels.get(reduceBy.shader, reduceBy.constants),
    kernels.get(classReduceBy.shader, classReduceBy.constants),
    kernels.get('reduce_partials', { WG }),
    kernels.get('embed_grad', { D, WG }),
    kernels.get('node_norms', { D }),
  ]);
  // The level kernels' Params must be the cell's tensors, by name and in order.
  for (const kernel of [...forward!, ...backward!]) checkCellKernel(kernel.info, shape.cell);
  return {
    transpose,
    leaf,
    forward: forward!,
    classifier,
    backward: backward!,
    reduce,
    classReduce,
    partials,
    embed,
    norms,
  };
}
