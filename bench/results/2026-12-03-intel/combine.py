import json, os, sys
dirs = sys.argv[1:]
configs = ["mnist-rows","medium-lstm","medium-gru","medium-rnn","deep","deep-gru","deep-rnn","latency","wide","bilstm-varlen"]
def load(d, kind, c):
    try: return {(r['mode'], r['threads']): r for r in json.load(open(os.path.join(d, f"{kind}-{c}.json")))}
    except Exception: return {}
peaks = []
for d in dirs:
    pk = {}
    for line in open(os.path.join(d, 'peak.txt')):
        p = line.split()
        if len(p) == 3 and p[0] in ('1','2'): pk[int(p[0])] = float(p[2])
    peaks.append(pk)
peak = {th: max(p[th] for p in peaks) for th in (1, 2)}
print(f"<!-- peak {peak} -->")
print("| config | mode | threads | ours ms | ours % peak | torch 1.13 ms | ORT ms | ours vs torch | ours vs ORT | heap MB (train) |")
print("|---|---|---|---|---|---|---|---|---|---|")
summary = []
for c in configs:
    for mode in ('infer','train'):
        for th in (1,2):
            o = [load(d,'ours',c).get((mode,th)) for d in dirs]; o = [x for x in o if x]
            if not o: continue
            t = [load(d,'torch',c).get((mode,th)) for d in dirs]; t = [x['ms'] for x in t if x]
            r = [load(d,'ort',c).get((mode,th)) for d in dirs]; r = [x['ms'] for x in r if x]
            oms = [x['ms'] for x in o]; best = min(oms); bo = o[oms.index(best)]
            pct = 100 * bo['gflops'] * (best / bo['ms']) / peak[th]
            def fmt(vals):
                b = min(vals); return f"{b:.2f} ({'/'.join(f'{v:.1f}' if v >= 10 else f'{v:.2f}' for v in vals)})"
            tcell = fmt(t) if t else "–"; rcell = fmt(r) if r else "–"
            vt = f"{min(t)/best:.2f}×" if t else "–"; vr = f"{min(r)/best:.2f}×" if r else "–"
            heap = f"{bo['peakHeapMb']:.1f}" if mode == 'train' and bo.get('peakHeapMb') else ""
            print(f"| {c} | {mode} | {th} | {fmt(oms)} | {pct:.0f}% | {tcell} | {rcell} | {vt} | {vr} | {heap} |")
            summary.append((c, mode, th, best, min(t) if t else None, min(r) if r else None, pct))
json.dump(summary, open('/work/runs/summary.json','w'))
