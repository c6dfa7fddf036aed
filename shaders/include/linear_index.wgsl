// The element-wise kernels' invocation index over a dispatch that computeDispatch folded into x, y
// and z (src/plan/dispatch.ts): workgroups numbered linearly, `wg` invocations each. Included with
// `//! include linear_index`.

fn linearInvocation(wid: vec3u, nwg: vec3u, lid: u32, wg: u32) -> u32 {
  return (wid.x + (wid.y + wid.z * nwg.y) * nwg.x) * wg + lid;
}
