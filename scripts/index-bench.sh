#!/usr/bin/env bash
# index-bench.sh - `callqa index` on a generated folder of N calls of mixed formats (default
# 1000): calls/s, CPU per hour of audio, peak memory; then the second run (nothing to do).
#
#   scripts/index-bench.sh [N]        env: CALLQA_INDEX_DIR (default /tmp/callqa_index_bench)
#   CALLQA_INDEX_STEREO=1 scripts/index-bench.sh [N]   # 8 kHz stereo recordings only (telephony:
#                                                      # PCM16, A-law, IMA ADPCM, EXTENSIBLE)
#   CALLQA_INDEX_MINUTES=5 scripts/index-bench.sh [N]  # calls of about 5 minutes (a contact
#       centre's usual handling time): each corpus file's audio repeated to that length, in its
#       own encoding (the corpus' calls are 19-88 s: per-call costs weigh ~10x more there)
#
# The calls are the development corpus' recordings in every encoding it has (PCM 8/16/24,
# float, mu-law, A-law, IMA ADPCM, GSM 6.10, EXTENSIBLE), each copy made distinct by one
# changed byte of its audio (so each is its own call). Generated material: never committed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-1000}
DIR=${CALLQA_INDEX_DIR:-/tmp/callqa_index_bench}
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/callqa
[[ -x $BIN ]] || cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
rm -rf "$DIR" && mkdir -p "$DIR/calls"
if [[ -n ${CALLQA_INDEX_MINUTES:-} ]]; then
python3 - "$ROOT/tests/fixtures/corpus" "$DIR/calls" "$N" "$CALLQA_INDEX_MINUTES" "${CALLQA_INDEX_STEREO:-0}" <<'PY'
import os, struct, sys
src, out, n, minutes, stereo = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5] == "1"
def chunks(path):
    b = open(path, "rb").read()
    i, found = 12, {}
    while i + 8 <= len(b):
        cid, size = b[i:i+4], struct.unpack("<I", b[i+4:i+8])[0]
        found.setdefault(cid, b[i+8:i+8+size])
        i += 8 + size + (size & 1)
    return found
files = []
for f in sorted(os.listdir(src)):
    if not (f.startswith("dev_") and f.endswith(".wav")):
        continue
    c = chunks(os.path.join(src, f))
    ch, rate = struct.unpack("<HI", c[b"fmt "][2:8])
    if stereo and (ch, rate) != (2, 8000):
        continue
    files.append((f, c))
for k in range(n):
    name, c = files[k % len(files)]
    fmt, data = c[b"fmt "], c[b"data"]
    byte_rate = struct.unpack("<I", fmt[8:12])[0]
    reps = max(1, round(byte_rate * minutes * 60 / len(data)))
    body = bytearray(data * reps)
    # One changed byte per copy (each its own call); whole blocks stay whole for block codecs.
    body[len(data) // 2 + (k * 7919) % max(len(data) // 2, 1)] ^= 1 + (k // len(files)) % 255
    riff = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + (b"\0" if len(fmt) % 2 else b"")
    if b"fact" in c:  # frames, for ADPCM/GSM
        riff += b"fact" + struct.pack("<II", 4, struct.unpack("<I", c[b"fact"][:4])[0] * reps)
    riff += b"data" + struct.pack("<I", len(body)) + bytes(body)
    open(os.path.join(out, f"{k:05d}_{name}"), "wb").write(b"RIFF" + struct.pack("<I", len(riff)) + riff)
print(f"{n} calls of about {minutes:g} min from {len(files)} corpus files (each one's audio repeated)")
PY
else
python3 - "$ROOT/tests/fixtures/corpus" "$DIR/calls" "$N" "${CALLQA_INDEX_STEREO:-0}" <<'PY'
import os, struct, sys
src, out, n, stereo = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
def channels_rate(path):
    b = open(path, "rb").read(4096)
    i = b.find(b"fmt ")
    return struct.unpack("<HI", b[i+10:i+16]) if i >= 0 else (0, 0)
files = sorted(f for f in os.listdir(src) if f.startswith("dev_") and f.endswith(".wav")
               and (not stereo or channels_rate(os.path.join(src, f)) == (2, 8000)))
def data_span(b):
    i = 12
    while i + 8 <= len(b):
        cid, size = b[i:i+4], struct.unpack("<I", b[i+4:i+8])[0]
        if cid == b"data":
            return i + 8, min(size, len(b) - i - 8)
        i += 8 + size + (size & 1)
    raise ValueError("no data chunk")
for k in range(n):
    name = files[k % len(files)]
    b = bytearray(open(os.path.join(src, name), "rb").read())
    start, size = data_span(b)
    # A different byte per copy, well inside the audio.
    pos = start + (k * 7919) % max(size - 2, 1)
    b[pos] ^= 1 + (k // len(files)) % 255
    open(os.path.join(out, f"{k:05d}_{name}"), "wb").write(b)
print(f"{n} calls from {len(files)} corpus files")
PY
fi
secs=$(python3 - "$DIR/calls" <<'PY'
import os, struct, sys
total = 0.0
for f in os.listdir(sys.argv[1]):
    b = open(os.path.join(sys.argv[1], f), "rb").read(4096)
    # byte rate from the fmt chunk (duration = data bytes / byte rate; fine for an estimate)
    i = 12
    rate = None
    while i + 8 <= len(b):
        cid, size = b[i:i+4], struct.unpack("<I", b[i+4:i+8])[0]
        if cid == b"fmt ":
            rate = struct.unpack("<I", b[i+16:i+20])[0]
        if cid == b"data" and rate:
            total += min(size, os.path.getsize(os.path.join(sys.argv[1], f)) - i - 8) / rate
            break
        i += 8 + size + (size & 1)
print(f"{total:.1f}")
PY
)
echo "audio: $secs s ($(awk -v s="$secs" 'BEGIN{printf "%.2f", s/3600}') h)"
TIME=$(command -v gtime || echo /usr/bin/time)
for run in first second; do
  $TIME -f "%e %U %S %M" -o "$DIR/time.txt" "$BIN" --db "$DIR/index.sqlite3" index "$DIR/calls" > "$DIR/out.txt" 2> "$DIR/err.txt" || true
  read -r wall user sys rss < "$DIR/time.txt"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')
  echo "$run run: wall ${wall} s, CPU ${cpu} s, $(awk -v n="$N" -v w="$wall" 'BEGIN{printf "%.0f", n/w}') calls/s, CPU per hour of audio $(awk -v c="$cpu" -v s="$secs" 'BEGIN{printf "%.3f", c/(s/3600)}') s, peak RSS $(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}') MiB"
  tail -n 1 "$DIR/out.txt"
done
