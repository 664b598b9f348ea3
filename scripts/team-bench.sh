#!/usr/bin/env bash
# The team store's library load on a throwaway PostgreSQL server (issue 15): 10,000 calls,
# 11,000 reviews; see examples/team_bench.rs. Release build.
#   scripts/team-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --example team_bench
exec scripts/pg-test.sh target/release/examples/team_bench
