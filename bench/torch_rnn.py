"""PyTorch reference for `rnn bench rnn`: the same configurations, the same median-of-runs method.

Run (comparison only; never part of the tests):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/torch_rnn.py [--threads 1 2] \
        [--config NAME ...] [--peak 1=113.3 2=220.9]

--peak gives the FMA peak (GFLOP/s) per thread count as printed by `rnn bench peak`; each row then gets
percentOfPeak, as in `rnn bench rnn --json`. Variable-length configurations run through
pack_padded_sequence (enforce_sorted=False), so PyTorch skips the padded steps as we do.
"""
import argparse
import json
import statistics
import sys
import time

import torch

# (name, cell, batch, seq, input, hidden, layers, bidirectional, min_length); the same as RnnBenchmark.Configs.
CONFIGS = [
    ("mnist-rows", "lstm", 50, 28, 28, 100, 1, False, 0),
    ("medium-lstm", "lstm", 64, 100, 128, 256, 1, False, 0),
    ("medium-gru", "gru", 64, 100, 128, 256, 1, False, 0),
    ("medium-rnn", "rnn", 64, 100, 128, 256, 1, False, 0),
    ("deep", "lstm", 32, 50, 512, 512, 2, False, 0),
    ("deep-gru", "gru", 32, 50, 512, 512, 2, False, 0),
    ("deep-rnn", "rnn", 32, 50, 512, 512, 2, False, 0),
    ("latency", "lstm", 1, 100, 128, 256, 1, False, 0),
    ("wide", "lstm", 16, 25, 1024, 1024, 1, False, 0),
    ("bilstm-varlen", "lstm", 64, 60, 50, 128, 2, True, 10),
]


def lengths_of(batch, seq, min_length):
    """len_b = min + floor(b (T - min) / (B - 1)), as RnnConfig.Lengths; None for full length."""
    if min_length <= 0:
        return None
    return [seq if batch == 1 else min_length + b * (seq - min_length) // (batch - 1) for b in range(batch)]


def forward_flops(cell, batch, seq, inp, hidden, layers, bidirectional=False, min_length=0):
    """2 G (I_l + H) H per layer, direction and real step, as RnnBenchmark.Flops."""
    gates = {"lstm": 4, "gru": 3, "rnn": 1}[cell]
    directions = 2 if bidirectional else 1
    lengths = lengths_of(batch, seq, min_length)
    steps = sum(lengths) if lengths else batch * seq
    return sum(2 * gates * ((inp if l == 0 else directions * hidden) + hidden) * hidden * steps * directions
               for l in range(layers))


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
    parser.add_argument("--peak", nargs="*", default=[], help="threads=GFLOP/s from `rnn bench peak`")
    args = parser.parse_args()
    peaks = {int(k): float(v) for k, v in (p.split("=") for p in args.peak)}
    torch.manual_seed(1)
    results = []
    for name, cell, batch, seq, inp, hidden, layers, bidirectional, min_length in CONFIGS:
        if args.config and name not in args.config:
            continue
        module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell](
            inp, hidden, layers, bidirectional=bidirectional)
        directions = 2 if bidirectional else 1
        x = torch.randn(seq, batch, inp)
        g = torch.randn(seq, batch, directions * hidden)
        lengths = lengths_of(batch, seq, min_length)
        flops = forward_flops(cell, batch, seq, inp, hidden, layers, bidirectional, min_length)

        def run(inputs):
            if lengths is None:
                return module(inputs)[0]
            packed = torch.nn.utils.rnn.pack_padded_sequence(inputs, torch.tensor(lengths), enforce_sorted=False)
            out, _ = module(packed)
            return torch.nn.utils.rnn.pad_packed_sequence(out, total_length=seq)[0]

        for threads in args.threads:
            torch.set_num_threads(threads)
            print(f"torch {name} threads={threads}", file=sys.stderr)

            def infer():
                with torch.no_grad():
                    run(x)

            xt = x.clone().requires_grad_(True)

            def train():
                module.zero_grad(set_to_none=True)
                xt.grad = None
                run(xt).backward(g)

            for mode, fn, mult in (("infer", infer, 1), ("train", train, 3)):
                ms = median_ms(fn)
                gflops = mult * flops / (ms * 1e6)
                row = {"name": name, "cell": cell, "mode": mode, "batch": batch, "seq": seq, "input": inp,
                       "hidden": hidden, "layers": layers, "bidirectional": bidirectional, "minLength": min_length,
                       "threads": threads, "ms": round(ms, 4), "gflops": round(gflops, 2)}
                if threads in peaks:
                    row["peakGflops"] = peaks[threads]
                    row["percentOfPeak"] = round(100 * gflops / peaks[threads], 1)
                results.append(row)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
