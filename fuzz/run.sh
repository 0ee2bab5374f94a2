#!/usr/bin/env bash
# Coverage-guided fuzzing of RecurrentSharp's readers with AFL++ and SharpFuzz.
#   bash fuzz/run.sh TARGET SECONDS     one target (names: bash fuzz/run.sh list)
#   bash fuzz/run.sh all SECONDS        every target, one after the other
#   bash fuzz/run.sh stats [TARGET...]  the figures of the last runs again
#   bash fuzz/run.sh keep TARGET [N]    copy the last run's crashes and hangs, and the N (default 5) last-found
#                                       queue entries that added coverage (at most 2 KiB each), into the regression inputs
# Needs (installs nothing itself):
#   apt-get install -y afl++                                           (AFL++ 4.04c on Debian 12)
#   dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0  (the `sharpfuzz` instrumenter)
# Works in fuzz/out/ (ignored by git): bin/ the instrumented build, seeds/ the seed corpora (fuzz/seeds.py),
# findings/TARGET/ afl-fuzz's output: default/crashes, default/hangs, default/queue, default/fuzzer_stats.
# A crash or hang found: replay it with `dotnet run --project fuzz -c Release -- TARGET FILE...` (an uninstrumented
# build: the instrumented one runs only under afl-fuzz), fix the reader,
# and keep the file as a regression input (`keep` below: tests/RecurrentSharp.Tests/Fuzz/FuzzRegressions/TARGET/,
# replayed in CI by FuzzRegressionTests).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
out="${FUZZ_OUT:-$here/out}"
shared="${RNN_SHARED:-$(dirname "$repo")/shared}"
export PATH="$PATH:$HOME/.dotnet/tools" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

targets=(safetensors onnx wav idx tang-poems har timeseries-csv atis sms-spam sentences image flickr8k)

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

stats() {
    # Executions per second is the run's average (execs_done / run_time), not afl's last sample.
    printf '%-15s %11s %8s %8s %7s %8s %6s\n' target executions seconds execs/s corpus crashes hangs
    for t in "$@"; do
        local f="$out/findings/$t/default/fuzzer_stats"
        [[ -f "$f" ]] || { printf '%-15s (not run)\n' "$t"; continue; }
        awk -v t="$t" -F' *: *' '{ v[$1] = $2 }
            END { printf "%-15s %11d %8d %8.0f %7d %8d %6d\n", t, v["execs_done"], v["run_time"],
                  v["execs_done"] / (v["run_time"] > 0 ? v["run_time"] : 1), v["corpus_count"], v["saved_crashes"], v["saved_hangs"] }' "$f"
    done
}

keep() {
    local target="$1" n="${2:-5}" found="$out/findings/$1/default"
    local dest="$repo/tests/RecurrentSharp.Tests/Fuzz/FuzzRegressions/$target"
    [[ -d "$found/queue" ]] || { echo "no run of $target in $out/findings" >&2; exit 1; }
    mkdir -p "$dest"
    for f in "$found"/crashes/id:* "$found"/hangs/id:*; do
        [[ -f "$f" ]] && cp "$f" "$dest/$(basename "$(dirname "$f")" | sed 's/s$//')-$(basename "$f" | cut -d, -f1 | tr -d :)"
    done
    # The last-found (deepest) entries that added coverage, at most 2 KiB each.
    find "$found/queue" -maxdepth 1 -type f -name '*+cov*' -size -2049c -printf '%f\n' | sort -r | head -n "$n" |
        while read -r f; do f="$found/queue/$f"; cp "$f" "$dest/queue-$(basename "$f" | cut -d, -f1 | tr -d :)"; done
    ls -l "$dest"
}

build() {
    command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install -y afl++" >&2; exit 1; }
    command -v sharpfuzz >/dev/null || { echo "sharpfuzz not found: dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0" >&2; exit 1; }
    rm -rf "$out/bin" "$out/seeds"
    # A fresh output folder each time: sharpfuzz instruments RecurrentSharp.dll in place, and only once.
    flock /tmp/rnn-build.lock dotnet build "$here/RecurrentSharp.Fuzz.csproj" -c Release -o "$out/bin" -v quiet -nologo
    sharpfuzz "$out/bin/RecurrentSharp.dll"
    python3 "$here/seeds.py" "$out/seeds" "$shared"
}

fuzz() {
    local target="$1" seconds="$2"
    rm -rf "$out/findings/$target"
    mkdir -p "$out/findings"
    echo "== $target: ${seconds}s of afl-fuzz" >&2
    # AFL_SKIP_BIN_CHECK: the binary afl runs is `dotnet`, the instrumentation is in RecurrentSharp.dll.
    # DOTNET_GCHeapHardLimit: 512 MiB of managed heap, so an allocation from a hostile length is an
    # OutOfMemoryException (a crash finding) rather than the machine's memory.
    AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    DOTNET_GCHeapHardLimit=0x20000000 \
        afl-fuzz -V "$seconds" -t 5000 -m none -i "$out/seeds/$target" -o "$out/findings/$target" \
        -- dotnet "$out/bin/RecurrentSharp.Fuzz.dll" "$target" > "$out/findings/$target.log" 2>&1 || {
            echo "afl-fuzz failed for $target; its log:" >&2; tail -n 30 "$out/findings/$target.log" >&2; return 1; }
}

[[ $# -ge 1 ]] || usage
case "$1" in
    list) printf '%s\n' "${targets[@]}"; exit 0 ;;
    stats) shift; stats "${@:-${targets[@]}}"; exit 0 ;;
    keep) [[ $# -ge 2 ]] || usage; shift; keep "$@"; exit 0 ;;
esac
[[ $# -eq 2 && "$2" =~ ^[0-9]+$ ]] || usage
if [[ "$1" == all ]]; then run=("${targets[@]}"); else run=("$1"); fi
for t in "${run[@]}"; do [[ " ${targets[*]} " == *" $t "* ]] || { echo "unknown target '$t'" >&2; usage; }; done
build
failed=0
for t in "${run[@]}"; do fuzz "$t" "$2" || failed=1; stats "$t" | tail -n 1; done
stats "${run[@]}"
found=$(cat "$out"/findings/*/default/fuzzer_stats 2>/dev/null | awk -F' *: *' '$1 == "saved_crashes" || $1 == "saved_hangs" { n += $2 } END { print n + 0 }')
[[ $failed -eq 0 && $found -eq 0 ]]
