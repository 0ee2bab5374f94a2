"""PyTorch reference for `rnn bench ctc`: F.ctc_loss + backward on the same shapes, the same median-of-runs method.

Run (comparison only; never part of the tests):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/torch_ctc.py [--threads 1 2]
"""
import argparse
import json
import sys

import torch
import torch.nn.functional as F

from torch_rnn import median_ms  # the same median-of-runs method as rnn bench (bench/ is on the path when run as a script)

CONFIGS = [
    ("speech-like", 200, 32, 29, 40),
    ("digits", 50, 64, 12, 6),
]


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
