"""PyTorch reference for `rnn bench ctc`: F.ctc_loss + backward on the same shapes, the same median-of-runs method.

Run (comparison only; never part of the tests):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/torch_ctc.py [--threads 1 2]
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

CONFIGS = [
    ("speech-like", 200, 32, 29, 40),
    ("digits", 50, 64, 12, 6),
]


def median_ms(fn, warmup=5, min_runs=10, max_runs=200, min_seconds=0.5, warmup_seconds=1.0):
    # Same method as rnn bench: warm up for at least `warmup` runs and `warmup_seconds`.
    start = time.perf_counter()
    done = 0
    while done < warmup or time.perf_counter() - start < warmup_seconds:
        fn()
        done += 1
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or (len(times) < max_runs and time.perf_counter() - start < min_seconds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    torch.manual_seed(1)
    results = []
    for name, T, N, C, S in CONFIGS:
        log_probs = torch.randn(T, N, C).log_softmax(2).detach().requires_grad_()
        targets = torch.randint(1, C, (N, S))
        input_lengths = torch.full((N,), T, dtype=torch.long)
        target_lengths = torch.full((N,), S, dtype=torch.long)

        def step():
            log_probs.grad = None
            F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean").backward()

        for threads in args.threads:
            torch.set_num_threads(threads)
            ms = median_ms(step)
            results.append({"name": name, "t": T, "n": N, "c": C, "s": S, "threads": threads, "ms": round(ms, 4)})
            print(f"{name}: T={T} N={N} C={C} S={S} threads={threads}: {ms:.3f} ms", file=sys.stderr)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
