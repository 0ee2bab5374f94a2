#!/usr/bin/env python3
"""Loads a classifier saved by `rnn train sentiment` (or sms-spam) into PyTorch's nn.Embedding, nn.LSTM
(load_state_dict, strict) and nn.Linear, and prints its class probabilities for whitespace-separated,
lower-case sentences, to compare with `rnn predict MODEL`. Reads the safetensors file with the standard
library and numpy only. Max pooling over time, as the sentiment task's default model.

    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 interop/torch_load_classifier.py sentiment.safetensors "a gorgeous witty film"

Comparison only: never used by the tests.
"""
import json, struct, sys, subprocess
import numpy as np, torch
path = sys.argv[1]
raw = open(path, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8+n]); base = 8 + n
meta = header.pop('__metadata__', {})
sd = {}
for k, v in header.items():
    assert v['dtype'] == 'F32', (k, v['dtype'])
    a, b = v['data_offsets']
    sd[k] = torch.from_numpy(np.frombuffer(raw[base+a:base+b], dtype='<f4').reshape(v['shape']).copy())
cfg = json.loads(meta['config'])
emb = torch.nn.Embedding(cfg['Vocabulary'], cfg['EmbeddingSize'])
emb.load_state_dict({'weight': sd['embedding.weight']})
lstm = torch.nn.LSTM(cfg['EmbeddingSize'], cfg['HiddenSize'], num_layers=cfg['Layers'], bidirectional=cfg['Bidirectional'], batch_first=True)
lstm.load_state_dict({k[len('encoder.'):]: v for k, v in sd.items() if k.startswith('encoder.')}, strict=True)
head = torch.nn.Linear(sd['head.weight'].shape[1], cfg['Classes'])
head.load_state_dict({'weight': sd['head.weight'], 'bias': sd['head.bias']})
vocab = json.loads(meta['vocabulary'])
tokens = vocab['tokens'] if isinstance(vocab, dict) else vocab
index = {t: i for i, t in enumerate(tokens)}
for sentence in sys.argv[2:]:
    ids = torch.tensor([[index.get(w, 1) for w in sentence.split()]])
    with torch.no_grad():
        out, _ = lstm(emb(ids))
        p = torch.softmax(head(out.max(dim=1).values), -1)[0]
    print(f"torch\t{p.tolist()}\t{sentence}")
