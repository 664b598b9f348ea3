#!/usr/bin/env bash
# peer-vad.sh - peer voice-activity detectors (Silero VAD, WebRTC VAD) on the robustness corpus,
# scored as callqa is in docs/robustness.md; prints a markdown table (docs/peer-vad-figures.md).
#
#   scripts/robustness/peer-vad.sh [CORPUS_DIR]       (default /tmp/callqa_robust)
#   env: PEER_VENV   the venv for the peers (default /tmp/callqa-peer-venv; made if missing)
#        PEERS       which peers (default silero,webrtc3,webrtc1)
#        PEER_PER_CALL  also write per-call figures to this TSV file
#
# The peers are not dependencies of callqa: they live in their own venv. silero-vad is
# installed with --no-deps (its package requires torch, ~1 GB; only its .onnx model and its
# pure-Python post-processing are used, with onnxruntime). Versions pinned to the measured ones.
# The corpus: python3 scripts/robustness/make_robustness.py /tmp/callqa_robust
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CORPUS=${1:-/tmp/callqa_robust}
VENV=${PEER_VENV:-/tmp/callqa-peer-venv}
PEERS=${PEERS:-silero,webrtc3,webrtc1}
[[ -f $CORPUS/manifest.tsv ]] || { echo "peer-vad.sh: no manifest.tsv in $CORPUS (make_robustness.py makes it)" >&2; exit 1; }

if [[ ! -x $VENV/bin/python ]]; then
  python3 -m venv "$VENV"
fi
PIP=("$VENV/bin/pip" install -q --disable-pip-version-check)
"$VENV/bin/python" -c 'import numpy, onnxruntime' 2>/dev/null || "${PIP[@]}" 'numpy>=1.24' 'onnxruntime==1.32.0'
"$VENV/bin/python" -c 'import importlib.util as u; assert u.find_spec("silero_vad")' 2>/dev/null \
  || "${PIP[@]}" --no-deps 'silero-vad==6.2.3'
if [[ $PEERS == *webrtc* ]] && ! "$VENV/bin/python" -c 'import webrtcvad' 2>/dev/null; then
  if ! "${PIP[@]}" 'webrtcvad-wheels==2.0.14.post1'; then
    echo "peer-vad.sh: webrtcvad-wheels did not install: WebRTC VAD skipped" >&2
    PEERS=$(tr ',' '\n' <<<"$PEERS" | grep -v '^webrtc' | paste -sd, -)
  fi
fi

echo "Peers: $("$VENV/bin/pip" freeze --disable-pip-version-check | grep -Ei '^(silero-vad|onnxruntime|webrtcvad-wheels|numpy)==' | paste -sd' ' -), Python $("$VENV/bin/python" -c 'import platform; print(platform.python_version())')"
echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC') on $CORPUS ($(($(wc -l <"$CORPUS/manifest.tsv") - 1)) calls), peers $PEERS"
echo
start=$(date +%s.%N)
"$VENV/bin/python" "$HERE/peer_vad.py" "$CORPUS" --peers "$PEERS" ${PEER_PER_CALL:+--per-call "$PEER_PER_CALL"} 2>/dev/null
end=$(date +%s.%N)
echo
printf 'Wall time: %.1f s (venv ready; one process, onnxruntime on 1 thread)\n' "$(echo "$end - $start" | bc)"
