#!/usr/bin/env bash
# bench.sh - speed and peak memory of `callqa analyze` on the 1-hour files, beside peer tools
# measured in the same run, then the accuracy check on the 1-hour file's ground truth.
#
#   scripts/bench.sh            (or: make bench)
#   env: CALLQA_CORPUS   corpus scripts dir   (default: <repo>/../shared/corpus)
#        CALLQA_LONG_DIR the 1-hour files      (default: /tmp/callqa_long; generated if missing)
#        BENCH_RUNS      hyperfine runs        (default: 10)
#        BENCH_ACCURACY  0 skips the 1-hour accuracy test (default: 1)
#        CALLQA_BENCH_DIR where the 10,000 generated transcripts are kept (default: /tmp/callqa_bench)
#        CARGO_TARGET_DIR                      (default: <repo>/target)
# Needs hyperfine, ffmpeg, sox and GNU time (scripts/deps.sh bench installs the missing ones).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=${CALLQA_CORPUS:-$ROOT/../shared/corpus}
LONG=${CALLQA_LONG_DIR:-/tmp/callqa_long}
RUNS=${BENCH_RUNS:-10}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

"$ROOT/scripts/deps.sh" bench
STEREO=$LONG/long_1h_stereo_pcm16_8k.wav
MONO=$LONG/long_1h_mono_mulaw_8k.wav
if [[ ! -f $STEREO || ! -f $MONO || ! -f ${STEREO%.wav}.json ]]; then
  [[ -f $CORPUS/make_long.sh ]] || { echo "bench.sh: no make_long.sh in $CORPUS (set CALLQA_CORPUS)" >&2; exit 1; }
  echo "generating the 1-hour files in $LONG" >&2
  bash "$CORPUS/make_long.sh" "$LONG"
fi

echo "building release..." >&2
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$CARGO_TARGET_DIR/release/callqa

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
TIME=$(command -v gtime || echo /usr/bin/time)

# name | command (run by sh; output discarded)
declare -a NAMES CMDS
add() { NAMES+=("$1"); CMDS+=("$2"); }
for f in "$STEREO" "$MONO"; do
  b=$(basename "$f" .wav)
  add "callqa analyze --json ($b)" "'$BIN' analyze --json '$f' > /dev/null"
  add "ffmpeg silencedetect ($b)" "ffmpeg -nostdin -hide_banner -i '$f' -af silencedetect=n=-40dB:d=2 -f null - 2> /dev/null"
  add "ffmpeg decode only ($b)" "ffmpeg -nostdin -hide_banner -i '$f' -f null - 2> /dev/null"
  add "sox stat ($b)" "sox '$f' -n stat 2> /dev/null"
  add "cat > /dev/null ($b)" "cat '$f' > /dev/null"
done

echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
args=()
for c in "${CMDS[@]}"; do args+=("$c"); done
hyperfine --warmup 2 --runs "$RUNS" --style basic --export-json "$OUT/h.json" "${args[@]}" >&2

# Peak RSS: the largest of 3 runs under GNU time.
for i in "${!CMDS[@]}"; do
  peak=0
  for _ in 1 2 3; do
    kb=$("$TIME" -f %M sh -c "${CMDS[$i]}" 2>&1 >/dev/null | tail -n 1)
    ((kb > peak)) && peak=$kb
  done
  echo "$peak" > "$OUT/rss_$i"
done

echo
printf '%-50s %9s %8s %9s %9s %10s\n' "command" "median s" "x silence" "cpu s" "x silence" "RSS MiB"
for i in "${!CMDS[@]}"; do
  python3 -c "import json,sys; r = json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]; print('%.4f %.4f' % (r['median'], r['user'] + r['system']))" "$OUT/h.json" "$i" > "$OUT/stat_$i"
  cut -d' ' -f1 "$OUT/stat_$i" > "$OUT/med_$i"
  cut -d' ' -f2 "$OUT/stat_$i" > "$OUT/cpu_$i"
done
for i in "${!CMDS[@]}"; do
  # The silencedetect run of the same file is 1 (stereo) or 6 (mono).
  ref=$(( i < 5 ? 1 : 6 ))
  ratio=$(awk -v a="$(cat "$OUT/med_$i")" -v b="$(cat "$OUT/med_$ref")" 'BEGIN { printf "%.3f", a / b }')
  cratio=$(awk -v a="$(cat "$OUT/cpu_$i")" -v b="$(cat "$OUT/cpu_$ref")" 'BEGIN { printf "%.3f", a / b }')
  rss=$(awk -v k="$(cat "$OUT/rss_$i")" 'BEGIN { printf "%.1f", k / 1024 }')
  printf '%-50s %9s %8s %9s %9s %10s\n' "${NAMES[$i]}" "$(cat "$OUT/med_$i")" "$ratio" "$(cat "$OUT/cpu_$i")" "$cratio" "$rss"
done
echo
echo "targets: callqa <= 0.25 x ffmpeg silencedetect (wall), peak RSS <= 32 MiB"
echo "(cpu s = mean user + system time over all threads; on a busy machine wall times mislead)"

echo
echo "transcripts (examples/transcript_bench.rs; targets: 1-hour import + match <= 50 ms, search over 10,000 <= 100 ms):"
cargo run --release --quiet --manifest-path "$ROOT/Cargo.toml" --example transcript_bench

[[ ${BENCH_ACCURACY:-1} == 0 ]] && exit 0
echo
echo "accuracy on the 1-hour files (ground truth from make_long.sh):"
CALLQA_LONG_DIR=$LONG cargo test --quiet --manifest-path "$ROOT/Cargo.toml" --test analysis_corpus -- \
  --ignored long_file --nocapture --test-threads 1
