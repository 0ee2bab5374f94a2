# Exports nn.LSTM/GRU/RNN of the bench configurations (full length ones) with torch.onnx.export, for ONNX Runtime timing.
import os, sys, torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from torch_rnn import CONFIGS
OUT = sys.argv[1] if len(sys.argv) > 1 else "/tmp/speed-onnx"
torch.manual_seed(1)
for name, cell, batch, seq, inp, hidden, layers, bidir, minlen in CONFIGS:
    if minlen:
        continue
    m = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell](inp, hidden, layers)
    x = torch.randn(seq, batch, inp)
    torch.onnx.export(m, (x,), os.path.join(OUT, f"{name}.onnx"), input_names=["x"], output_names=["y", "h"] if cell != "lstm" else ["y", "h", "c"], opset_version=14)
    print(name, file=sys.stderr)
