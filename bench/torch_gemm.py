#!/usr/bin/env python3
"""PyTorch reference for `rnn bench gemm --json`: times torch.mm on the same shapes.

Same method as RecurrentSharp.Cli/Bench/BenchmarkTimer.cs: 3 warm-up runs, then at least 10 timed
runs (more while under 0.5 s, at most 200); ms = median; gflops = 2*m*n*k / time.
Prints one JSON array with the fields name, m, n, k, threads, ms, gflops.

Run (OpenBLAS with OpenMP threads):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/torch_gemm.py [threads...]
The OpenBLAS kernel set in use is printed on stderr. OpenBLAS 0.3.21 does not recognise every
recent Xeon (e.g. CPU model 207) and then falls back to its SSE3 "Prescott" kernels, ~5x slower;
OPENBLAS_CORETYPE=SkylakeX selects its AVX-512 kernels.
Comparison only: never used by the tests.
"""
import ctypes
import ctypes.util
import json
import os
import sys
import time

import torch

SHAPES = [
    ("square-256", 256, 256, 256),
    ("square-512", 512, 512, 512),
    ("square-1024", 1024, 1024, 1024),
    ("square-2048", 2048, 2048, 2048),
    ("rnn-50x400x128", 50, 400, 128),
    ("rnn-64x1024x256", 64, 1024, 256),
    ("rnn-1x1024x256", 1, 1024, 256),
    ("rnn-6400x1024x128", 6400, 1024, 128),
    ("rnn-32x2048x512", 32, 2048, 512),
]


def median_ms(action, warmup=3, min_runs=10, max_runs=200, min_seconds=0.5):
    for _ in range(warmup):
        action()
    times = []
    start_all = time.perf_counter()
    while len(times) < min_runs or (len(times) < max_runs and time.perf_counter() - start_all < min_seconds):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    n = len(times)
    return times[n // 2] if n % 2 == 1 else 0.5 * (times[n // 2 - 1] + times[n // 2])


def openblas_core():
    """The OpenBLAS kernel set torch will use (e.g. 'SkylakeX', 'Prescott'), or None."""
    for name in ("openblas", "blas"):
        path = ctypes.util.find_library(name)
        for candidate in filter(None, [path] + [os.path.join(d, "libblas.so.3") for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d]):
            try:
                lib = ctypes.CDLL(candidate)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                return lib.openblas_get_corename().decode()
            except (OSError, AttributeError):
                continue
    return None


def main():
    thread_counts = [int(t) for t in sys.argv[1:]] or ([1, 2] if (os.cpu_count() or 1) >= 2 else [1])
    print(f"torch {torch.__version__}, OpenBLAS core: {openblas_core()}", file=sys.stderr)
    torch.manual_seed(1)
    results = []
    with torch.no_grad():
        for name, m, n, k in SHAPES:
            a = torch.randn(m, k)
            b = torch.randn(k, n)
            c = torch.empty(m, n)
            for threads in thread_counts:
                torch.set_num_threads(threads)
                print(f"torch.mm {name} threads={threads}", file=sys.stderr)
                ms = median_ms(lambda: torch.mm(a, b, out=c))
                results.append({"name": name, "m": m, "n": n, "k": k, "threads": threads,
                                "ms": round(ms, 4), "gflops": round(2.0 * m * n * k / (ms * 1e6), 2)})
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
