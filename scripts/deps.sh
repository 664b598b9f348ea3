#!/usr/bin/env bash
# Installs the Debian packages callqa needs, only those missing.
#   scripts/deps.sh build   # to compile: build-essential pkg-config libasound2-dev libssl-dev
#   scripts/deps.sh run     # + what the window needs at run time (X11/GL libs, ALSA)
#   scripts/deps.sh test    # + what the tests need (ALSA null device support; a PostgreSQL
#                           #   server for the team store's tests, see scripts/pg-test.sh)
set -euo pipefail
want=(build-essential pkg-config libasound2-dev libasound2 libssl-dev)
case "${1:-build}" in
  build) ;;
  run) want+=(libgl1-mesa-dri libegl1 libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 libfontconfig1) ;;
  # The robustness sample (tests/robustness.rs): sox, real recorded prompts and music on hold;
  # the team store's tests: a PostgreSQL server (scripts/pg-test.sh).
  test) want+=(sox libsox-fmt-all asterisk-core-sounds-en-wav asterisk-moh-opsound-wav postgresql) ;;
  bench) want+=(hyperfine ffmpeg sox libsox-fmt-all time) ;;
  shot) want+=(xvfb imagemagick libgl1-mesa-dri libegl1 libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 libfontconfig1) ;;
  *) echo "usage: $0 build|run|test|bench|shot" >&2; exit 2 ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing Debian packages: ${missing[*]}" >&2
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The robustness generator's one Python module (for the tests only; not a dependency of callqa).
if [[ ${1:-build} == test ]] && ! python3 -c 'import numpy' 2>/dev/null; then
  echo "installing numpy for python3 (the robustness test's generator)" >&2
  python3 -m pip install --quiet numpy 2>/dev/null || python3 -m pip install --quiet --user numpy
fi
