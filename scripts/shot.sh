#!/usr/bin/env bash
# Screenshots of the review window as a supervisor sees it: the release build in a real
# window under Xvfb (llvmpipe), a throwaway database and data folder.
#
#   scripts/shot.sh OUT.png WIDTHxHEIGHT CALL.wav [SECONDS]
#   KEYS="j n 2 y" scripts/shot.sh ...     # keys pressed after the name (xdotool names)
#
# Before the window opens, two other reviewers' reviews of the call are stored (so the
# scorecard shows them); in the window the reviewer name "Asha" is typed into the first-run
# field (xdotool), the call plays for a moment, and the screen is captured after SECONDS
# (default 8).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1 size=$2 call=$3 wait=${4:-8}
scripts/deps.sh shot
command -v xdotool >/dev/null || { sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo; $sudo apt-get install -y -qq xdotool >/dev/null; }
bin=target/release/callqa
[[ -x $bin ]] || cargo build --release --bin callqa
tmp=$(mktemp -d)
trap 'kill ${app:-} ${xvfb:-} 2>/dev/null || true; rm -rf "$tmp"' EXIT
export XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config HOME=$tmp
db=$tmp/reviews.sqlite3
for who in Ravi Meena; do
  a=$([[ $who == Ravi ]] && echo no || echo yes)
  $bin --db "$db" review "$call" --reviewer "$who" --answer let_customer_finish=$a@5.8 \
    --answer no_arguing=yes --answer admitted_fault=na --answer set_callback_time=yes --submit >/dev/null
done
w=${size%x*} h=${size#*x}
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 "${w}x${h}x24" -nolisten tcp >/dev/null 2>&1 & xvfb=$!
sleep 1
DISPLAY=$display $bin --db "$db" app --size "$size" "$call" >"$tmp/app.log" 2>&1 & app=$!
sleep 3
# No window manager: give the window the keyboard.
DISPLAY=$display xdotool search --name callqa windowfocus
DISPLAY=$display xdotool type --delay 40 "Asha"
DISPLAY=$display xdotool key Return
sleep "$wait"
for k in ${KEYS:-}; do DISPLAY=$display xdotool key "$k"; sleep 0.5; done
sleep 1
DISPLAY=$display import -window root "$out"
echo "wrote $out ($size)"
