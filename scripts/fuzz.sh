#!/usr/bin/env bash
# Fuzzes the WAV reader with libFuzzer (fuzz/fuzz_targets/wav_reader.rs).
#   scripts/fuzz.sh [SECONDS]      # default 60; corpus seeds from tests/fixtures
# Needs the nightly toolchain (`rustup toolchain install nightly`). Uses `cargo fuzz` when it
# is installed (`cargo install cargo-fuzz`); otherwise builds the target the way cargo-fuzz
# does (sancov flags on nightly) and runs the binary directly. Crashes land in
# fuzz/artifacts/; reproduce one with `fuzz/target/<host>/release/wav_reader fuzz/artifacts/crash-...`.
# The CI-sized version of this check is the proptest in tests/audio_fuzz.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
seeds=fuzz/corpus/wav_reader
mkdir -p "$seeds" fuzz/artifacts
# Seeds: the first 4 KiB of each fixture WAV (headers + some audio of every codec).
for f in tests/fixtures/corpus/*.wav tests/fixtures/sox/*.wav; do
  head -c 4096 "$f" > "$seeds/$(basename "$f" | md5sum | cut -c1-16)"
done
if cargo fuzz --version >/dev/null 2>&1; then
  cd fuzz && exec cargo +nightly fuzz run wav_reader -- -max_total_time="$secs" -rss_limit_mb=512
fi
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
# An explicit --target keeps these flags off build scripts and proc macros (as cargo-fuzz does).
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
cargo +nightly build --release --manifest-path fuzz/Cargo.toml --target-dir fuzz/target --target "$host"
exec "fuzz/target/$host/release/wav_reader" -max_total_time="$secs" -rss_limit_mb=512 \
  -artifact_prefix=fuzz/artifacts/ "$seeds"
