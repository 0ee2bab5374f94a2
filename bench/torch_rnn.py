"""PyTorch reference for `rnn bench rnn`: the same configurations, the same median-of-runs method.

Run (comparison only; never part of the tests):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/torch_rnn.py [--threads 1 2]
"""
import argparse
import json
import statistics
import sys
import time

import torch

CONFIGS = [
    ("mnist-rows", "lstm", 50, 28, 28, 100, 1),
    ("medium-lstm", "lstm", 64, 100, 128, 256, 1),
    ("medium-gru", "gru", 64, 100, 128, 256, 1),
    ("medium-rnn", "rnn", 64, 100, 128, 256, 1),
    ("deep", "lstm", 32, 50, 512, 512, 2),
    ("latency", "lstm", 1, 100, 128, 256, 1),
    ("wide", "lstm", 16, 25, 1024, 1024, 1),
]


def forward_flops(cell, batch, seq, inp, hidden, layers):
    factor = {"lstm": 8, "gru": 6}.get(cell, 2)
    return sum(factor * batch * ((inp if l == 0 else hidden) + hidden) * hidden * seq for l in range(layers))


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
    parser.add_argument("--config", nargs="*", default=None)
    args = parser.parse_args()
    torch.manual_seed(1)
    results = []
    for name, cell, batch, seq, inp, hidden, layers in CONFIGS:
        if args.config and name not in args.config:
            continue
        module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell](inp, hidden, layers)
        x = torch.randn(seq, batch, inp)
        g = torch.randn(seq, batch, hidden)
        flops = forward_flops(cell, batch, seq, inp, hidden, layers)
        for threads in args.threads:
            torch.set_num_threads(threads)
            print(f"torch {name} threads={threads}", file=sys.stderr)

            def infer():
                with torch.no_grad():
                    module(x)

            xt = x.clone().requires_grad_(True)

            def train():
                module.zero_grad(set_to_none=True)
                xt.grad = None
                out, _ = module(xt)
                out.backward(g)

            for mode, fn, mult in (("infer", infer, 1), ("train", train, 3)):
                ms = median_ms(fn)
                results.append({"name": name, "cell": cell, "mode": mode, "batch": batch, "seq": seq, "input": inp,
                                "hidden": hidden, "layers": layers, "threads": threads, "ms": round(ms, 4),
                                "gflops": round(mult * flops / (ms * 1e6), 2)})
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
