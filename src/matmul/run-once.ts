// One standalone product on fresh buffers: the self-check's and the tests' way to run a kernel once.

/** A product with its inputs uploaded: encode it, read its output, free its buffers. */
export interface MatmulOp {
  encode(pass: GPUComputePassEncoder): void;
  read(): Promise<Float32Array>;
  destroy(): void;
}

/** Encodes `op` once in its own pass labelled `label`, submits, reads the output and frees the buffers. */
export async function runOnce(device: GPUDevice, label: string, op: MatmulOp): Promise<Float32Array> {
  try {
    const encoder = device.createCommandEncoder({ label });
    const pass = encoder.beginComputePass({ label });
    op.encode(pass);
    pass.end();
    device.queue.submit([encoder.finish()]);
    return await op.read();
  } finally {
    op.destroy();
  }
}
