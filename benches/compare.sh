#!/usr/bin/env bash
# benches/compare.sh — whole-command timings of `normbok build` and its peers (issue 8).
#
# Generates the corpus with examples/corpus.rs, then times full builds (output folder removed
# before every run) with hyperfine, measures peak RSS with `/usr/bin/time -v` and the output
# size with `du`, and prints Markdown tables for BENCHMARKS.md together with the machine
# description, the load average and the tool versions.
#
#   benches/compare.sh [peers|scaling|all]          (default: all)
#
# Environment (defaults in brackets):
#   N [10000]            requirements for the peer comparison
#   V [3]                versions
#   SEED [1]             corpus seed
#   CHAPTERS [20]        chapters of the corpus (issue 12 measures 100)
#   WORDS [0]            pad each requirement text to this many words (issue 12: 400–800)
#   SCALING ["1000 5000 10000 20000 50000"]   sizes of the normbok scaling curve
#   RUNS [3]             hyperfine runs per command, after one measured run under time -v
#   SLOW [120]           a build slower than this (s) is run once, not RUNS times
#   TIMEOUT [1800]       a build slower than this (s) is stopped and reported as such
#   WORK [/tmp/normbok-bench]   corpora, outputs and raw results
#   PEERS ["hugo zola mdbook"]  peers to try; a missing one is reported, not fatal
#   NORMBOK [built here] path of a release normbok binary
#   PATH may include /work/tools/bin or wherever zola and mdbook were installed.
#
# Timings on a shared machine are noisy: the load average before and after each command is
# printed next to its figure; repeat runs when it is above the number of cores.
set -euo pipefail

MODE=${1:-all}
N=${N:-10000}
V=${V:-3}
SEED=${SEED:-1}
CHAPTERS=${CHAPTERS:-20}
WORDS=${WORDS:-0}
SCALING=${SCALING:-"1000 5000 10000 20000 50000"}
RUNS=${RUNS:-3}
SLOW=${SLOW:-120}
TIMEOUT=${TIMEOUT:-1800}
WORK=${WORK:-/tmp/normbok-bench}
PEERS=${PEERS:-"hugo zola mdbook"}
REPO=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$REPO/target}

mkdir -p "$WORK/results"
command -v hyperfine >/dev/null || { echo "compare.sh: hyperfine is required (apt-get install hyperfine)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "compare.sh: /usr/bin/time is required (apt-get install time)" >&2; exit 2; }

echo "building normbok and the corpus generator (release)…" >&2
(cd "$REPO" && cargo build --release --quiet --bin normbok --example corpus)
NORMBOK=${NORMBOK:-$TARGET/release/normbok}
CORPUS=$TARGET/release/examples/corpus

load() { cut -d' ' -f1-3 /proc/loadavg; }

machine() {
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(uname -sr)"
    echo "- normbok: $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- src || echo '+changes') (release profile)"
    for p in $PEERS; do
        case $p in
            hugo) command -v hugo >/dev/null && echo "- hugo: $(hugo version | head -1)" ;;
            zola) command -v zola >/dev/null && echo "- zola: $(zola --version)" ;;
            mdbook) command -v mdbook >/dev/null && echo "- mdbook: $(mdbook --version)" ;;
        esac
    done
    echo "- method: one run under \`/usr/bin/time -v\` (peak RSS, output size; warms the page cache), then $(hyperfine --version) with $RUNS runs (only for builds under ${SLOW} s), output folder removed before every run; wall time is the hyperfine mean ± standard deviation"
}

# build_cmd TOOL SRC OUT → the command line of a full build.
build_cmd() {
    case $1 in
        normbok) echo "$NORMBOK build --root $2 --out $3" ;;
        hugo) echo "hugo --quiet --source $2 --destination $3" ;;
        zola) echo "zola --root $2 build --output-dir $3 --force" ;;
        mdbook) echo "mdbook build $2 --dest-dir $3" ;;
    esac
}

# measure LABEL TOOL SRC OUT PAGES → one Markdown table row.
# One run under /usr/bin/time -v first (peak RSS, output size; also warms the page cache);
# then hyperfine for RUNS more runs if that one took less than SLOW seconds, otherwise the
# single run is the figure (marked "1 run"). A build over TIMEOUT seconds is stopped.
measure() {
    local label=$1 tool=$2 src=$3 out=$4 pages=$5 cmd json before after wall mean rss size files
    cmd=$(build_cmd "$tool" "$src" "$out")
    json="$WORK/results/$label.json"
    echo "measuring $label: $cmd" >&2
    rm -rf "$out"
    before=$(load)
    # shellcheck disable=SC2086
    if ! timeout "$TIMEOUT" /usr/bin/time -v $cmd 2>"$WORK/results/$label.time" >/dev/null; then
        after=$(load)
        if grep -q 'Elapsed' "$WORK/results/$label.time"; then
            echo "compare.sh: $cmd failed" >&2
            tail -20 "$WORK/results/$label.time" >&2
            echo "| $label | $pages | failed (see $WORK/results/$label.time) | – | – | – | $before → $after |"
        else
            echo "| $label | $pages | > $TIMEOUT (stopped) | – | – | – | $before → $after |"
        fi
        return
    fi
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$WORK/results/$label.time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.2f", s}' "$WORK/results/$label.time")
    size=$(du -sm "$out" | cut -f1)
    files=$(find "$out" -type f | wc -l)
    if awk -v w="$wall" -v s="$SLOW" 'BEGIN {exit !(w < s)}'; then
        hyperfine --style none --runs "$RUNS" --prepare "rm -rf $out" --export-json "$json" "$cmd" >&2
        mean=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f\"{r['mean']:.2f} ± {r['stddev'] or 0:.2f} ({len(r['times'])} runs; user {r['user']:.1f} s, sys {r['system']:.1f} s)\")" "$json")
    else
        mean="$wall (1 run)"
    fi
    after=$(load)
    echo "| $label | $pages | $mean | $rss | $size | $files | $before → $after |"
}

header() {
    echo "| build | source pages | wall time (s, mean ± sd) | peak RSS (MiB) | output (MiB) | output files | load avg (1/5/15 min) before → after |"
    echo "|---|---|---|---|---|---|---|"
}

peers() {
    local dir="$WORK/corpus-$N-v$V-c$CHAPTERS-w$WORDS"
    if [ ! -f "$dir/normbok/normbok.toml" ]; then
        rm -rf "$dir"
        "$CORPUS" --out "$dir" --requirements "$N" --versions "$V" --seed "$SEED" --chapters "$CHAPTERS" --words "$WORDS" --flavor all
    fi
    local reqs pages
    reqs=$(find "$dir/normbok/content" -name '*.yaml' -path '*/requirements/*' -exec grep -c '^  - id:' {} + | awk -F: '{s+=$2} END {print s}')
    pages=$(find "$dir/hugo/content" -name '*.md' | wc -l)
    echo "### N = $N requirements × $V versions (seed $SEED)"
    echo
    machine
    echo "- corpus: \`$CORPUS --out $dir --requirements $N --versions $V --seed $SEED --chapters $CHAPTERS --words $WORDS --flavor all\` ($reqs requirement records; $pages Markdown files for Hugo)"
    echo
    header
    measure "normbok-$N" normbok "$dir/normbok" "$WORK/out/normbok" "$reqs records + $(find "$dir/normbok/content" -name '*.md' | wc -l) pages"
    for p in $PEERS; do
        if command -v "$p" >/dev/null; then
            local n
            n=$(find "$dir/$p" -name '*.md' -not -name SUMMARY.md | wc -l)
            measure "$p-$N" "$p" "$dir/$p" "$WORK/out/$p" "$n .md"
        else
            echo "| $p | – | not installed | – | – | – | – |"
        fi
    done
    echo
}

scaling() {
    echo "### Scaling of \`normbok build\` ($V versions, seed $SEED)"
    echo
    machine
    echo
    header
    for n in $SCALING; do
        local dir="$WORK/scale-$n"
        if [ ! -f "$dir/normbok.toml" ]; then
            rm -rf "$dir"
            "$CORPUS" --out "$dir" --requirements "$n" --versions "$V" --seed "$SEED" --chapters "$CHAPTERS" --words "$WORDS" --flavor normbok
        fi
        measure "normbok-scale-$n" normbok "$dir" "$WORK/out/scale" "$n × $V"
    done
    echo
}

case $MODE in
    peers) peers ;;
    scaling) scaling ;;
    all) peers; scaling ;;
    *) echo "usage: $0 [peers|scaling|all]" >&2; exit 2 ;;
esac
