// Where a thread of a level kernel works when its workgroup holds GROUPS groups of WG / GROUPS
// threads, each group owning NT whole nodes of the level (the RNN's quad kernels, the RLSTM's and
// the Tree-LSTM's; each includes it with `//! include node_groups`). WG, GROUPS and NT are the
// including kernel's override constants, and `range` its level's rows.

struct NodeGroup {
  lane: u32,     // the thread's place in its group
  threads: u32,  // threads per group
  first: u32,    // first node of the thread's group in the range
  nodes: u32,    // the group's nodes inside the level (0: the group is past its end)
}

// First node of workgroup (wid, nwg) in the range: uniform over the workgroup, so a kernel with
// barriers may return on it (a value computed with the thread's index may not).
fn workgroupFirst(wid: vec3u, nwg: vec3u) -> u32 {
  return (wid.x + (wid.y + wid.z * nwg.y) * nwg.x) * GROUPS * NT;
}

// Thread t's group in the workgroup whose first node is wgFirst.
fn nodeGroup(wgFirst: u32, t: u32) -> NodeGroup {
  let threads = WG / GROUPS;
  let first = wgFirst + (t / threads) * NT;
  let nodes = select(0u, min(NT, range.count - first), first < range.count);
  return NodeGroup(t % threads, threads, first, nodes);
}
