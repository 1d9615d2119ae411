"""The workloads in PyTorch for the Gradlens benchmark, on one thread unless
GRADLENS_BENCH_TORCH_THREADS says how many (the "PyTorch (2 threads)" column).

    /usr/bin/python3 bench/peers/torch_peer.py <workload> '<params json>'

Prints one marked JSON line, like bench/child.mjs does for the Node peers.
"""
import ctypes
import gc
import json
import math
import os
import resource
import sys
import time

RESULT_MARK = "BENCH_RESULT "


def now():
    return time.perf_counter() * 1000.0


def best_of(runs, fn):
    """Milliseconds of the fastest of `runs` calls of fn (as timing.mjs's bestOf)."""
    best = math.inf
    for _ in range(runs):
        gc.collect()
        t0 = now()
        fn()
        best = min(best, now() - t0)
    return best


def peak_rss_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def thread_count():
    """The threads this peer may use: GRADLENS_BENCH_TORCH_THREADS, default 1."""
    return max(1, int(os.environ.get("GRADLENS_BENCH_TORCH_THREADS", "1")))


def limit_blas_threads(n):
    """OpenBLAS (Debian's pthread build) starts one thread per core whatever
    torch.set_num_threads says, and reads its count once, when it is loaded: set it before
    torch is imported, so that "1 thread" holds for the products too."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(n)


def openblas_threads():
    """The thread count the loaded OpenBLAS reports, or None where there is none."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            return int(ctypes.CDLL(path).openblas_get_num_threads())
        except (OSError, AttributeError):
            continue
    return None


def blas_libraries():
    """The BLAS libraries torch loaded: Debian's torch uses whichever libblas.so.3 the
    system's alternatives select (reference BLAS by default), which decides W1 and W4."""
    import os

    found = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                name = os.path.basename(path)
                if any(k in name for k in ("blas", "mkl")) and path.startswith("/"):
                    found.add(os.path.realpath(path))
    except OSError:
        return "unknown"
    return ", ".join(sorted(found)) or "none found"


def mlp_step(model, loss_fn, opt, x, y):
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    return loss


def timed_training(model, loss_fn, opt, x, y, p):
    """Warm-up steps, then the best of p["runs"] runs of p["steps"] steps: (steps/s, last loss)."""
    for _ in range(p["warmup"]):
        mlp_step(model, loss_fn, opt, x, y)
    last = {}

    def run():
        for _ in range(p["steps"]):
            last["loss"] = mlp_step(model, loss_fn, opt, x, y)

    ms = best_of(p["runs"], run)
    return p["steps"] / (ms / 1000), last["loss"].item()


def w1(torch, p):
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(p["dropout"]), nn.Linear(256, 10))
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=p["lr"])
    x = torch.randn(p["batch"], 784)
    y = torch.tensor([(i * 7) % 10 for i in range(p["batch"])], dtype=torch.int64)
    rate, loss = timed_training(model, loss_fn, opt, x, y, p)
    return {"stepsPerSec": rate, "finalLoss": loss}


def w2(torch, p):
    """The PyTorch tutorial's polynomial fit (autograd, manual update under no_grad)."""
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, p["points"])
    y = torch.sin(x)
    a = torch.randn((), requires_grad=True)
    b = torch.randn((), requires_grad=True)
    c = torch.randn((), requires_grad=True)
    lr = p["lr"]

    def loop(iters):
        # Written as the tutorial writes it, so a, b, c are rebound by -= (in place).
        nonlocal a, b, c
        for _ in range(iters):
            y_pred = a * x + b * x ** 2 + c * x ** 3
            loss = (y_pred - y).pow(2).sum()
            loss.backward()
            with torch.no_grad():
                a -= lr * a.grad
                b -= lr * b.grad
                c -= lr * c.grad
                a.grad = None
                b.grad = None
                c.grad = None
        return loss

    loop(p["warmup"])
    last = {}
    ms = best_of(p["runs"], lambda: last.update(loss=loop(p["iters"])))
    loss = last["loss"]
    return {"usPerIter": ms * 1000 / p["iters"], "finalLoss": loss.item()}


def w3(torch, p):
    nn = torch.nn
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, p["points"]).view(p["points"], 1)
    y = torch.sin(x)

    def run():
        model = nn.Sequential(nn.Linear(1, 10), nn.Tanh(), nn.Linear(10, 10), nn.Tanh(), nn.Linear(10, 1))
        loss_fn = nn.MSELoss()
        opt = torch.optim.Adam(model.parameters(), lr=p["lr"])
        t0 = now()
        for _ in range(p["iters"]):
            loss = mlp_step(model, loss_fn, opt, x, y)
        return now() - t0, loss.item()

    for _ in range(p["warmup"]):
        run()
    # No forced GC between runs, as for the JavaScript peers.
    runs = [run() for _ in range(p["runs"])]
    return {"ms": min(r[0] for r in runs), "finalLoss": runs[-1][1]}


def w4(torch, p):
    torch.manual_seed(0)

    def phase(n, fwd_reps, fwd_bwd_reps):
        a = torch.randn(n, n, requires_grad=True)
        b = torch.randn(n, n, requires_grad=True)
        g = torch.ones(n, n)
        def fwd_bwd():
            a.matmul(b).backward(g)
            a.grad = None
            b.grad = None

        return best_of(fwd_reps, lambda: a.matmul(b)), best_of(fwd_bwd_reps, fwd_bwd)

    phase(p["warmupN"], 2, 2)
    gc.collect()
    fwd_ms, fwd_bwd_ms = phase(p["n"], p["fwdReps"], p["fwdBwdReps"])
    f = 2 * p["n"] ** 3
    return {
        "fwdGflops": f / (fwd_ms / 1000) / 1e9,
        "fwdBwdGflops": 3 * f / (fwd_bwd_ms / 1000) / 1e9,
    }


def w5(torch, p):
    def chain(ops):
        x = torch.tensor(1.0, requires_grad=True)
        t0 = now()
        y = x
        for i in range(ops):
            y = y * 0.9999 if i % 2 == 0 else y + 1e-4
        t1 = now()
        y.backward()
        t2 = now()
        return t1 - t0, t2 - t1, x.grad.item()

    chain(p["warmupOps"])
    gc.collect()
    build_ms, backward_ms, grad = chain(p["ops"])
    return {
        "buildUsPerOp": build_ms * 1000 / p["ops"],
        "backwardUsPerOp": backward_ms * 1000 / p["ops"],
        "peakRssMB": peak_rss_mb(),
        "grad": grad,
    }


def w6(torch, p):
    """A LeNet-style CNN training step on 28x28 inputs (conv, relu, max pool twice, three linears)."""
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=p["lr"], momentum=0.9)
    x = torch.randn(p["batch"], 1, 28, 28)
    y = torch.tensor([(i * 7) % 10 for i in range(p["batch"])], dtype=torch.int64)
    rate, loss = timed_training(model, loss_fn, opt, x, y, p)
    return {"cnnStepsPerSec": rate, "finalLoss": loss}


WORKLOADS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6}


def main():
    workload, params = sys.argv[1], json.loads(sys.argv[2])
    threads = thread_count()
    limit_blas_threads(threads)
    try:
        import torch

        torch.set_num_threads(threads)
        metrics = WORKLOADS[workload](torch, params)
        blas_threads = openblas_threads()
        result = {
            "ok": True,
            "version": "torch %s, %d thread%s%s, BLAS %s"
            % (
                torch.__version__,
                torch.get_num_threads(),
                "" if torch.get_num_threads() == 1 else "s",
                "" if blas_threads is None else " (OpenBLAS %d)" % blas_threads,
                blas_libraries(),
            ),
            "metrics": metrics,
            "peakRssMB": peak_rss_mb(),
        }
    except ImportError as e:
        result = {"ok": False, "skipped": True, "error": "torch not importable: %s" % e}
    except Exception as e:  # noqa: BLE001 - one failing workload must not end the bench
        import traceback

        result = {"ok": False, "error": "%s\n%s" % (e, traceback.format_exc())}
    sys.stdout.write("\n" + RESULT_MARK + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
