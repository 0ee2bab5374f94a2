#!/usr/bin/env bash
# Ours, PyTorch and ONNX Runtime on every rnn bench configuration, interleaved per configuration, load logged.
set -u
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)   # the repository (the Release builds of src/RecurrentSharp.Cli and bench/onnxruntime must exist)
OUT=${1:?usage: run.sh OUT_FOLDER}
mkdir -p $OUT
RNN=$ROOT/src/RecurrentSharp.Cli/bin/Release/net10.0/rnn.dll
ORT=$ROOT/bench/onnxruntime/bin/Release/net10.0/OnnxRuntimeBench.dll
export LD_LIBRARY_PATH_TORCH=/usr/lib/x86_64-linux-gnu/openblas-openmp
unset OPENBLAS_CORETYPE
dotnet $RNN bench peak > $OUT/peak.txt 2>&1
for c in ${CONFIGS:-mnist-rows medium-lstm medium-gru medium-rnn deep deep-gru deep-rnn latency wide bilstm-varlen}; do
  echo "$c ours $(date -u +%T) $(uptime)" >> $OUT/uptime.log
  dotnet $RNN bench rnn --json --config $c > $OUT/ours-$c.json 2> $OUT/ours-$c.err
  echo "$c torch $(date -u +%T) $(uptime)" >> $OUT/uptime.log
  LD_LIBRARY_PATH=$LD_LIBRARY_PATH_TORCH /usr/bin/python3 $ROOT/bench/torch_rnn.py --config $c > $OUT/torch-$c.json 2> $OUT/torch-$c.err
  echo "$c ort $(date -u +%T) $(uptime)" >> $OUT/uptime.log
  dotnet $ORT --json --config $c > $OUT/ort-$c.json 2> $OUT/ort-$c.err
done
echo finished $(date -u +%T) >> $OUT/uptime.log
