# The two commands: `make run` (the app) and `make test` (the whole test suite).
# Each installs the Debian packages it needs first (scripts/deps.sh).
SHELL := /bin/bash
ARGS ?=

# On machines without a sound card, tests play to an ALSA null device.
ALSA_NULL := ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$(CURDIR)/.ci/asound-null.conf

.PHONY: run test lint bench fuzz shot
run:
	@scripts/deps.sh run
	cargo run --release -- app $(ARGS)

# The tests run with a throwaway PostgreSQL server up (scripts/pg-test.sh: the team store's tests).
test:
	@scripts/deps.sh test
	CALLQA_REQUIRE_ROBUST=1 $(ALSA_NULL) scripts/pg-test.sh cargo test --all-targets
	scripts/fuzz.sh --ci 60
	cargo clippy --all-targets -- -D warnings
	cargo fmt --check

lint:
	cargo clippy --all-targets -- -D warnings
	cargo fmt --check

bench:
	@scripts/deps.sh bench
	scripts/bench.sh

fuzz:
	scripts/fuzz.sh
