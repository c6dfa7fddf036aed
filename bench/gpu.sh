#!/usr/bin/env bash
# Runs the benchmark on this machine's GPU through Dawn in Node (no browser needed), in one command:
#
#   bench/gpu.sh [options of bench/node.ts]        # default: --preset full
#   bench/gpu.sh train [options of bench/train-peers.ts]   # training steps/s: treegrad vs PyTorch
#
# What it needs, in order of preference:
#   - Node ≥ 20 on the PATH, or bench/results/carry/node.tar.xz (made by `npx tsx bench/gpu-pack.ts`);
#   - node_modules from `npm ci`, or bench/results/carry/node_modules.tar.xz (same pack; for machines
#     without network access);
#   - a Vulkan driver for the GPU and the Vulkan loader (libvulkan.so.1). Leave VK_DRIVER_FILES
#     unset on a machine with a GPU driver; NVIDIA's ICD under /usr/local/nvidia is picked up when
#     the loader's usual folders have none; a loader unpacked from bench/results/carry/libvulkan1*.deb is used
#     when the system has none;
#   - for the `pytorch` peer: a Python that imports torch ($TREEGRAD_PYTHON, else python3, else
#     /usr/bin/python3); CUDA where torch sees a GPU (TREEGRAD_TORCH_DEVICE=cpu forces the CPU).
#     Without one the peer is reported as unavailable and the rest runs.
# Results go to bench/results/ (or --out DIR): <timestamp>.{json,csv,html} and latest.*.
set -euo pipefail
cd "$(dirname "$0")/.."
carry=bench/results/carry
scratch=${TMPDIR:-/tmp}/treegrad-gpu
mkdir -p "$scratch"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 20 ]; then
  if [ -f "$carry/node.tar.xz" ]; then
    tar -xJf "$carry/node.tar.xz" -C "$scratch"
    export PATH="$scratch/usr/bin:$scratch/usr/local/bin:$PATH"
  fi
  [ "$(node_major)" -ge 20 ] || { echo "bench/gpu.sh: needs Node ≥ 20 (or $carry/node.tar.xz)" >&2; exit 1; }
fi

if [ ! -f node_modules/tsx/dist/cli.mjs ]; then
  if [ -f "$carry/node_modules.tar.xz" ]; then
    tar -xJf "$carry/node_modules.tar.xz"
  elif command -v npm >/dev/null; then
    npm ci --no-audit --no-fund
  else
    echo "bench/gpu.sh: no node_modules, no npm and no $carry/node_modules.tar.xz" >&2
    exit 1
  fi
fi

if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] &&
  ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/share/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; break; fi
  done
fi
if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  for deb in "$carry"/libvulkan1*.deb; do
    [ -f "$deb" ] || continue
    dpkg -x "$deb" "$scratch/vulkan"
    export LD_LIBRARY_PATH="$scratch/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  done
fi

echo "bench/gpu.sh: Node $(node --version), Vulkan driver ${VK_DRIVER_FILES:-found by the loader}" >&2
for py in ${TREEGRAD_PYTHON:-python3 /usr/bin/python3}; do
  if "$py" -c 'import torch' 2>/dev/null; then
    echo "bench/gpu.sh: PyTorch: $("$py" -c 'import torch; print(torch.__version__, "cuda" if torch.cuda.is_available() else "cpu")') ($py)" >&2
    break
  fi
done
if [ "${1:-}" = train ]; then
  shift
  exec node node_modules/tsx/dist/cli.mjs bench/train-peers.ts "$@"
fi
case " $* " in
  *" --preset "*) exec node node_modules/tsx/dist/cli.mjs bench/node.ts "$@" ;;
  *) exec node node_modules/tsx/dist/cli.mjs bench/node.ts --preset full "$@" ;;
esac
