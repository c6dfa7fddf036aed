"""treegrad's RNN and RLSTM (docs/model.md) in PyTorch, level-batched like the engine.

A benchmark peer: "what a user would write instead". Every node of one height, across all trees
of a minibatch, goes through one set of torch ops; backward is autograd. Rows follow treegrad's
level plan (src/plan/levels.ts): sorted by (height, tree, pre-order). Node state is one matrix S
(rows = plan rows; columns h, or h then c for the RLSTM) that grows by one torch.cat per level.

Protocol: one JSON object per line on stdin, one reply per line on stdout ({"ok": true, ...} or
{"ok": false, "error": ...}). Trees come compact: per tree its pre-order nodes, a leaf as its word
index (>= 0), an internal node as -1. Parameters come by model.md's names, flat, row-major, every
matrix [out, in] with y = W x. Operations: hello, plan, load, forward, step, grads, time, drop, train.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

# OpenMP threads that spin while they wait collapse when the machine is busier than its cores (a
# 2-core machine with other work: 60x slower steps measured); sleeping waits cost nothing here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

CELL_TENSORS: dict[str, list[str]] = {
    "rnn": ["W_L", "W_R", "b"],
    "rlstm": ["Wi", "Wi_sib", "Ui", "Ui_sib", "bi", "Wf", "Wf_sib", "Uf", "Uf_sib", "bf",
              "W_L", "W_R", "b", "O_L", "O_R", "O_c", "bo"],
    "treelstm": ["Ui_L", "Ui_R", "bi", "Uf_LL", "Uf_LR", "Uf_RL", "Uf_RR", "bf",
                 "Uo_L", "Uo_R", "bo", "Uu_L", "Uu_R", "bu"],
}


def tensor_shapes(cell: str, dim: int, vocab: int, classes: int) -> list[tuple[str, list[int]]]:
    """Names and shapes in treegrad's canonical order (src/params/shapes.ts)."""
    out: list[tuple[str, list[int]]] = [("E", [vocab, dim])]
    out += [(n, [dim] if n.startswith("b") else [dim, dim]) for n in CELL_TENSORS[cell]]
    return out + [("Wc", [classes, dim]), ("bc", [classes])]


# ---------------------------------------------------------------------------------------------
# Level plan


@dataclass
class Plan:
    """treegrad's level-major numbering of a minibatch (the fields this model needs)."""

    num_leaves: int
    level_start: list[int]  # level (= height) l is rows [level_start[l], level_start[l + 1])
    children: list[int]  # internal row r: left child children[2(r - num_leaves)], right at + 1
    leaf_words: list[int]
    roots: list[int]


def plan_levels(trees: list[list[int]]) -> Plan:
    """Rows sorted by (height, tree, pre-order index), as planLevels in src/plan/levels.ts."""
    keys: list[tuple[int, int, int]] = []  # (height, tree, pre-order index)
    kids: list[list[tuple[int, int]]] = []
    for t, seq in enumerate(trees):
        height = [0] * len(seq)
        child = [(-1, -1)] * len(seq)
        stack: list[int] = []
        for i in range(len(seq) - 1, -1, -1):  # reversed pre-order: children before parents
            if seq[i] < 0:
                left, right = stack.pop(), stack.pop()
                child[i] = (left, right)
                height[i] = 1 + max(height[left], height[right])
            stack.append(i)
        if len(stack) != 1:
            raise ValueError(f"tree {t + 1}: not one binary tree in pre-order")
        keys += [(height[i], t, i) for i in range(len(seq))]
        kids.append(child)
    keys.sort()
    row = {(t, i): r for r, (_, t, i) in enumerate(keys)}
    levels = keys[-1][0] + 1
    level_start = [0] * (levels + 1)
    for h, _, _ in keys:
        level_start[h + 1] += 1
    for h in range(levels):
        level_start[h + 1] += level_start[h]
    num_leaves = level_start[1]
    leaf_words = [trees[t][i] for _, t, i in keys[:num_leaves]]
    children: list[int] = []
    for _, t, i in keys[num_leaves:]:
        left, right = kids[t][i]
        children += [row[(t, left)], row[(t, right)]]
    return Plan(num_leaves, level_start, children, leaf_words, [row[(t, 0)] for t in range(len(trees))])


@dataclass
class Batch:
    """A plan's index arrays and the labels as tensors on the model's device."""

    leaf_words: torch.Tensor
    levels: list[torch.Tensor]  # per level >= 1: the children's rows interleaved (L, R, L, R, ...)
    roots: torch.Tensor
    labels: torch.Tensor


def to_batch(plan: Plan, labels: list[int], device: torch.device) -> Batch:
    """Uploads the plan's index arrays (int64) and labels."""
    def long(xs: list[int]) -> torch.Tensor:
        return torch.tensor(xs, dtype=torch.long, device=device)

    levels = []
    for lo, hi in zip(plan.level_start[1:-1], plan.level_start[2:]):
        a, b = 2 * (lo - plan.num_leaves), 2 * (hi - plan.num_leaves)
        levels.append(long(plan.children[a:b]))
    return Batch(long(plan.leaf_words), levels, long(plan.roots), long(labels))


# ---------------------------------------------------------------------------------------------
# Cells and loss

Params = dict[str, torch.Tensor]


def rnn_level(p: Params, _d: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """RNN level: X = [h_L | h_R] per node, h = tanh(X [W_L W_R]^T + b)."""
    w = torch.cat([p["W_L"], p["W_R"]], 1)
    return lambda x: torch.tanh(torch.addmm(p["b"], x, w.t()))


def rlstm_level(p: Params, d: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """RLSTM level: X = [h_L | c_L | h_R | c_R]; the four gates (i_L, f_L, i_R, f_R) in one matmul.

    The right child's gates use the same matrices with the sibling roles swapped: a swap of column
    blocks. Then c, the peephole output gate and h, as in docs/model.md.
    """
    def gate(k: str, own: bool) -> torch.Tensor:
        blocks = [p[f"W{k}"], p[f"U{k}"], p[f"W{k}_sib"], p[f"U{k}_sib"]]
        return torch.cat(blocks if own else blocks[2:] + blocks[:2], 1)

    wg = torch.cat([gate("i", True), gate("f", True), gate("i", False), gate("f", False)], 0)
    bg = torch.cat([p["bi"], p["bf"], p["bi"], p["bf"]])
    wo = torch.cat([p["O_L"], p["O_R"], p["O_c"]], 1)

    def level(x: torch.Tensor) -> torch.Tensor:
        i_l, f_l, i_r, f_r = torch.sigmoid(torch.addmm(bg, x, wg.t())).split(d, 1)
        h_l, c_l, h_r, c_r = x.split(d, 1)
        u = torch.tanh(i_l * (h_l @ p["W_L"].t()) + i_r * (h_r @ p["W_R"].t()) + p["b"])
        c = f_l * c_l + f_r * c_r + u
        o = torch.sigmoid(torch.addmm(p["bo"], torch.cat([h_l, h_r, c], 1), wo.t()))
        return torch.cat([o * torch.tanh(c), c], 1)

    return level


def treelstm_level(p: Params, d: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """Tree-LSTM level: X = [h_L | c_L | h_R | c_R]; the gates i, f_L, f_R, o and the candidate u
    from one matmul of [h_L | h_R], then c and h as in docs/model.md."""
    pairs = [("Ui_L", "Ui_R"), ("Uf_LL", "Uf_LR"), ("Uf_RL", "Uf_RR"), ("Uo_L", "Uo_R"), ("Uu_L", "Uu_R")]
    w = torch.cat([torch.cat([p[a], p[b]], 1) for a, b in pairs], 0)
    b = torch.cat([p["bi"], p["bf"], p["bf"], p["bo"], p["bu"]])

    def level(x: torch.Tensor) -> torch.Tensor:
        h_l, c_l, h_r, c_r = x.split(d, 1)
        pre = torch.addmm(b, torch.cat([h_l, h_r], 1), w.t())
        i, f_l, f_r, o = torch.sigmoid(pre[:, : 4 * d]).split(d, 1)
        u = torch.tanh(pre[:, 4 * d :])
        c = i * u + f_l * c_l + f_r * c_r
        return torch.cat([o * torch.tanh(c), c], 1)

    return level


# Each cell's level (treegrad's registry, src/cells); a cell with a memory cell keeps [h | c] rows.
LEVELS: dict[str, Callable[[Params, int], Callable[[torch.Tensor], torch.Tensor]]] = {
    "rnn": rnn_level,
    "rlstm": rlstm_level,
    "treelstm": treelstm_level,
}
HAS_C = {"rlstm", "treelstm"}


def batch_loss(cell: str, d: int, p: Params, batch: Batch) -> torch.Tensor:
    """Mean softmax cross-entropy at the roots of the batch's trees."""
    words = p["E"].index_select(0, batch.leaf_words)
    has_c = cell in HAS_C
    state = torch.cat([words, torch.zeros_like(words)], 1) if has_c else words  # leaves: c = 0
    level = LEVELS[cell](p, d)
    width = 4 * d if has_c else 2 * d
    for children in batch.levels:
        x = state.index_select(0, children).reshape(-1, width)
        state = torch.cat([state, level(x)], 0)
    root = state.index_select(0, batch.roots)[:, :d]
    logits = torch.addmm(p["bc"], root, p["Wc"].t())
    return torch.nn.functional.cross_entropy(logits, batch.labels)


# ---------------------------------------------------------------------------------------------
# A model: one flat float32 parameter vector (treegrad's layout order), views per tensor


class Model:
    """Parameters of one cell as one flat leaf tensor; gradients land in theta.grad, flat."""

    def __init__(self, job: dict[str, Any], device: torch.device) -> None:
        self.cell: str = job["cell"]
        self.dim: int = job["dim"]
        self.shapes = tensor_shapes(self.cell, self.dim, job["vocab"], job["classes"])
        flat: list[float] = []
        for name, shape in self.shapes:
            values = job["params"][name]
            if len(values) != math.prod(shape):
                raise ValueError(f"{name}: {len(values)} values, expected {math.prod(shape)}")
            flat += values
        self.device = device
        self.theta = torch.tensor(flat, dtype=torch.float32, device=device, requires_grad=True)
        self.sizes = [math.prod(s) for _, s in self.shapes]

    def params(self) -> Params:
        """Views of theta by name (made per step, so each graph owns its view nodes)."""
        parts = torch.split(self.theta, self.sizes)
        return {name: part.view(shape) for (name, shape), part in zip(self.shapes, parts)}

    def loss(self, batch: Batch) -> torch.Tensor:
        return batch_loss(self.cell, self.dim, self.params(), batch)

    def step(self, batch: Batch) -> torch.Tensor:
        """Forward and backward: the loss (a tensor), gradients in theta.grad (replaced)."""
        self.theta.grad = None
        loss = self.loss(batch)
        loss.backward()
        return loss.detach()

    def named(self, flat: torch.Tensor) -> dict[str, list[float]]:
        """A flat vector split by tensor name, as float64 lists."""
        parts = torch.split(flat.detach().double().cpu(), self.sizes)
        return {name: part.tolist() for (name, _), part in zip(self.shapes, parts)}


# ---------------------------------------------------------------------------------------------
# The server


def pick_device() -> torch.device:
    """TREEGRAD_TORCH_DEVICE (cpu or cuda), else CUDA where available, else the CPU."""
    name = os.environ.get("TREEGRAD_TORCH_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def blas_library() -> str:
    """The BLAS this process loaded (Debian's torch uses whichever libblas.so.3 is selected)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if ".so" in line}
    except OSError:
        return "unknown"
    for name in ("mkl", "openblas", "blis", "atlas"):
        if any(name in os.path.basename(p).lower() or f"/{name}" in p for p in paths):
            return name
    if any(p.endswith("/blas/libblas.so.3") for p in paths):
        return "reference BLAS (slow: install an optimised one, e.g. libopenblas0-pthread)"
    return "built in"


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def median_ms(run: Callable[[], None], repeats: int, device: torch.device) -> float:
    times: list[float] = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        sync(device)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


class Server:
    def __init__(self) -> None:
        threads = os.environ.get("TREEGRAD_TORCH_THREADS")
        torch.set_num_threads(int(threads) if threads else os.cpu_count() or 1)
        self.device = pick_device()
        self.models: dict[int, tuple[Model, Batch]] = {}
        self.next_id = 1

    def hello(self, _: dict[str, Any]) -> dict[str, Any]:
        name = torch.cuda.get_device_name(self.device) if self.device.type == "cuda" else "cpu"
        return {"torch": torch.__version__, "device": self.device.type, "deviceName": name,
                "threads": torch.get_num_threads(), "python": sys.version.split()[0],
                "blas": blas_library()}

    def plan(self, job: dict[str, Any]) -> dict[str, Any]:
        p = plan_levels(job["trees"])
        return {"levelStart": p.level_start, "children": p.children, "leafWords": p.leaf_words,
                "roots": p.roots}

    def load(self, job: dict[str, Any]) -> dict[str, Any]:
        model = Model(job, self.device)
        plan = plan_levels(job["trees"])
        batch = to_batch(plan, job["labels"], self.device)
        model_id = self.next_id
        self.next_id += 1
        self.models[model_id] = (model, batch)
        return {"id": model_id, "levels": len(plan.level_start) - 1}

    def get(self, job: dict[str, Any]) -> tuple[Model, Batch]:
        return self.models[job["id"]]

    def forward(self, job: dict[str, Any]) -> dict[str, Any]:
        model, batch = self.get(job)
        with torch.no_grad():
            return {"loss": model.loss(batch).item()}

    def step(self, job: dict[str, Any]) -> dict[str, Any]:
        model, batch = self.get(job)
        return {"loss": model.step(batch).item()}

    def grads(self, job: dict[str, Any]) -> dict[str, Any]:
        model, _ = self.get(job)
        if model.theta.grad is None:
            raise RuntimeError("grads: no step has run")
        return {"grads": model.named(model.theta.grad)}

    def time(self, job: dict[str, Any]) -> dict[str, Any]:
        """One warm-up of each kind, then medians of `repeats` forwards and `repeats` steps."""
        model, batch = self.get(job)
        repeats: int = job["repeats"]
        losses: list[float] = []

        def forward() -> None:
            with torch.no_grad():
                model.loss(batch).item()

        def step() -> None:
            losses.append(model.step(batch).item())

        step()
        forward()
        sync(self.device)
        return {"forwardMs": median_ms(forward, repeats, self.device),
                "stepMs": median_ms(step, repeats, self.device), "loss": losses[-1]}

    def drop(self, job: dict[str, Any]) -> dict[str, Any]:
        self.models.pop(job["id"], None)
        return {}

    def train(self, job: dict[str, Any]) -> dict[str, Any]:
        """AdaGrad (model.md: g = dJ + l2*theta, G += g^2, theta -= lr*g/(sqrt(G) + eps)) over
        minibatches of `batch` trees in the order given, for `steps` steps. Each step plans its
        minibatch (as a training loop must). Steps/s counts the steps after the first `warmup`."""
        model = Model(job, self.device)
        trees, labels, size = job["trees"], job["labels"], job["batch"]
        steps: int = job["steps"]
        warmup: int = min(job.get("warmup", 0), steps - 1)
        opt = torch.optim.Adagrad([model.theta], lr=job["lr"], weight_decay=job["l2"], eps=job["eps"])
        total = torch.zeros((), device=self.device)
        t0 = time.perf_counter()
        for s in range(steps):
            if s == warmup:
                sync(self.device)
                t0 = time.perf_counter()
            lo = (s * size) % len(trees)
            part = list(range(lo, min(lo + size, len(trees))))
            batch = to_batch(plan_levels([trees[i] for i in part]), [labels[i] for i in part], self.device)
            total += model.step(batch)
            opt.step()
        sync(self.device)
        seconds = time.perf_counter() - t0
        out: dict[str, Any] = {"steps": steps, "timedSteps": steps - warmup, "seconds": seconds,
                               "stepsPerSec": (steps - warmup) / seconds, "meanLoss": total.item() / steps}
        if job.get("returnParams"):
            out["params"] = model.named(model.theta)
        return out


def main() -> None:
    server = Server()
    ops: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
        "hello": server.hello, "plan": server.plan, "load": server.load, "forward": server.forward,
        "step": server.step, "grads": server.grads, "time": server.time, "drop": server.drop,
        "train": server.train,
    }
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            job = json.loads(line)
            reply = {"ok": True, **ops[job["op"]](job)}
        except Exception as error:  # a reply for every request: the caller reports it
            reply = {"ok": False, "error": f"{type(error).__name__}: {error}",
                     "trace": traceback.format_exc(limit=4)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
