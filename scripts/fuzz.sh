#!/usr/bin/env bash
# Fuzzes the WAV reader with libFuzzer (fuzz/fuzz_targets/wav_reader.rs).
#   scripts/fuzz.sh [SECONDS]        # default 60; corpus seeds from tests/fixtures
#   scripts/fuzz.sh --ci [SECONDS]   # the bounded run `make test` does (default 60 s)
# Needs the nightly toolchain (`rustup toolchain install nightly`). Uses `cargo fuzz` when it
# is installed (`cargo install cargo-fuzz`); otherwise builds the target the way cargo-fuzz
# does (sancov flags on nightly) and runs the binary directly. Crashes land in
# fuzz/artifacts/; reproduce one with `fuzz/target/<host>/release/wav_reader fuzz/artifacts/crash-...`
# and keep it as a regression fixture in tests/fixtures/crafted/ (see its make.py).
#
# --ci: never fails for want of tools. Without a nightly toolchain it prints "fuzzing skipped:
# no nightly toolchain" and exits 0, likewise when the fuzz target's crates cannot be
# downloaded (offline machine). It fails (exit 1) when the target does not build or the
# fuzzer finds a crash, a hang (> 10 s on one input) or a leak of memory (> 512 MB).
# The always-on check is the proptest in tests/audio_fuzz.rs and the fixtures' test
# tests/audio_crafted.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
ci=0
if [[ ${1:-} == --ci ]]; then
  ci=1
  shift
fi
secs=${1:-60}
if ! [[ $secs =~ ^[0-9]+$ ]] || ((secs < 1)); then
  echo "usage: scripts/fuzz.sh [--ci] [SECONDS]" >&2
  exit 2
fi

skip() {
  echo "fuzzing skipped: $1"
  exit 0
}
if ! rustc +nightly -V >/dev/null 2>&1; then
  ((ci)) && skip "no nightly toolchain"
  echo "fuzzing needs the nightly toolchain: rustup toolchain install nightly" >&2
  exit 1
fi
fetch_log=$(mktemp)
if ! cargo +nightly fetch --manifest-path fuzz/Cargo.toml >"$fetch_log" 2>&1; then
  cat "$fetch_log" >&2
  rm -f "$fetch_log"
  ((ci)) && skip "cannot download the fuzz target's crates (offline?)"
  exit 1
fi
rm -f "$fetch_log"

seeds=fuzz/corpus/wav_reader
mkdir -p "$seeds" fuzz/artifacts
# Seeds: the first 4 KiB of each fixture WAV (headers + some audio of every codec) and the
# crafted headers.
for f in tests/fixtures/corpus/*.wav tests/fixtures/sox/*.wav tests/fixtures/crafted/*.wav; do
  head -c 4096 "$f" > "$seeds/$(basename "$f" | md5sum | cut -c1-16)"
done
# -timeout: one input taking 10 s is a hang; -rss_limit_mb: the reader's memory follows the
# bytes present, so 512 MB is a leak or a header trusted.
fuzz_args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=512 -print_final_stats=1)

report() {
  local rc=$1
  if ((rc != 0)); then
    echo "fuzzing FAILED (exit $rc): the input is in fuzz/artifacts/; reproduce it with the" \
      "fuzz binary, fix the reader, and keep the file in tests/fixtures/crafted/" >&2
  else
    echo "fuzzing: no crash in $secs s"
  fi
  exit "$rc"
}

if cargo fuzz --version >/dev/null 2>&1; then
  rc=0
  (cd fuzz && cargo +nightly fuzz run wav_reader -- "${fuzz_args[@]}") || rc=$?
  report "$rc"
fi
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
# An explicit --target keeps these flags off build scripts and proc macros (as cargo-fuzz does).
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
started=$SECONDS
cargo +nightly build --release --manifest-path fuzz/Cargo.toml --target-dir fuzz/target --target "$host"
echo "fuzz target built in $((SECONDS - started)) s; fuzzing for $secs s"
rc=0
run=("fuzz/target/$host/release/wav_reader" "${fuzz_args[@]}" -artifact_prefix=fuzz/artifacts/ "$seeds")
if ((ci)); then
  # libFuzzer's progress lines and dictionary are noise in a CI log: keep them in a file and
  # show the final stats (its last 80 lines on a failure).
  log=fuzz/artifacts/ci-run.log
  "${run[@]}" >"$log" 2>&1 || rc=$?
  if ((rc != 0)); then tail -n 80 "$log" >&2; else grep -E '^(Done|stat::)' "$log" || true; fi
else
  "${run[@]}" || rc=$?
fi
report "$rc"
