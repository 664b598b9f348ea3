#!/usr/bin/env python3
"""make_robustness.py - the robustness corpus of issue 13, generated (never committed).

    usage: make_robustness.py OUT_DIR [--sample] [--masters DIR] [--only NAME[,NAME...]] [--salt S] [--moh-db DB]
    needs: python3 with numpy; sox + libsox-fmt-all (G.711 / GSM round trips);
           for the real-speech calls Debian's asterisk-core-sounds-en-wav and
           asterisk-moh-opsound-wav (skipped, with a message, when missing)
    Debian: apt-get install sox libsox-fmt-all asterisk-core-sounds-en-wav asterisk-moh-opsound-wav
            pip install numpy

Writes OUT_DIR/<call>__<condition>.wav (stereo PCM16 8 kHz, ch0 agent, ch1 customer), the
ground truth OUT_DIR/<call>__<condition>.json in the shape of the development corpus
(../shared/corpus, gt.awk: utterances, overtalk with first/second speaker, silence >= 2 s,
hold_music, summary) and OUT_DIR/manifest.tsv (file, condition, family, description).
Deterministic: every random choice comes from a seed derived from the file's name.

Ground truth by construction:
- Conditions applied to a development master (level, noise, hum, clipping + DC, echo, codec
  round trips) change the signal, never who talks when: the truth is the master's JSON.
- Random placements cut the masters' utterances out of their channel at the truth's exact
  sample extents and place them at chosen offsets on a fresh noise bed; the truth is the
  placed extents (overtalk = agent utterance x customer utterance, the later starter is the
  interrupter; silence = gaps >= 2 s in the union of all utterances and hold music).
- Real speech: Asterisk's recorded prompts (one human voice, 8 kHz). Each prompt is DC-removed,
  peak-normalised to -1 dBFS and trimmed by this energy rule: a 10 ms frame is active when its
  RMS >= -45 dBFS; the utterance runs from the first sample >= -45 dBFS (amplitude) in the
  first active frame or the one before it, to the last such sample in the last active frame
  or the one after it. Prompts with an internal inactive run >= 0.4 s are not used (their
  extents would be ambiguous talk), nor prompts shorter than 1 s or longer than 8 s, nor the
  tt-* novelty prompts, nor prompts that say more than one sentence (multi_sentence_prompts.tsv,
  from the package's transcript: one utterance in the truth would hide a sentence boundary,
  e.g. "...not a valid extension.  Please try again."). The placed prompt is then scaled to a peak of -3..-8 dBFS (chosen
  per utterance). Hold is a stretch of one of Asterisk's music-on-hold tracks (skipping its
  first 20 s), at -24 dBFS RMS, on the agent channel; its extent is hold_music in the truth.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave

import numpy as np

RATE = 8000
MIN_SIL = 2.0
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MASTERS = ["dev_a_courteous", "dev_b_cutoff", "dev_c_dispute", "dev_d_long_hold",
           "dev_e_hindi_refund", "dev_f_brief"]
PROMPTS = "/usr/share/asterisk/sounds/en"
MOH = "/usr/share/asterisk/moh"


SALT = ""
# Level of the music on hold, dBFS RMS (--moh-db).
MOH_DB = -24.0


def rng_for(name):
    return np.random.default_rng(int.from_bytes(hashlib.sha256((SALT + name).encode()).digest()[:8], "little"))


def db(x):
    return 10.0 ** (x / 20.0)


# ---------------------------------------------------------------- wav i/o
def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2, path
        ch, n = w.getnchannels(), w.getnframes()
        x = np.frombuffer(w.readframes(n), dtype="<i2").astype(np.float64) / 32768.0
        rate = w.getframerate()
    return x.reshape(-1, ch).T.copy(), rate


def write_wav(path, chans):
    x = np.stack(chans, axis=1)
    q = np.clip(np.round(x * 32768.0), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(x.shape[1])
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(q.tobytes())


def sox(*args):
    subprocess.run(["sox", "-D", "-R", "-V1", *args], check=True)


# ---------------------------------------------------------------- signals
def bandlimit(x, lo=300.0, hi=3400.0):
    """Brick-wall band-pass by FFT (the masters are band-limited 300-3400 Hz too)."""
    X = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1.0 / RATE)
    X[(f < lo) | (f > hi)] = 0
    return np.fft.irfft(X, len(x))


def line_noise(n, dbfs, rng):
    """Steady broadband line noise, 300-3400 Hz, at `dbfs` RMS."""
    x = bandlimit(rng.standard_normal(n))
    return x / np.sqrt(np.mean(x ** 2)) * db(dbfs)


def hum(n, dbfs, rng):
    """Mains hum as it leaks through a telephone band: 50 Hz harmonics 3..9 (150-450 Hz),
    falling 3 dB per harmonic, random phases, at `dbfs` RMS."""
    t = np.arange(n) / RATE
    x = np.zeros(n)
    for k in range(3, 10):
        x += db(-3.0 * (k - 3)) * np.sin(2 * np.pi * 50.0 * k * t + rng.uniform(0, 2 * np.pi))
    return x / np.sqrt(np.mean(x ** 2)) * db(dbfs)


def delay(x, d):
    y = np.zeros_like(x)
    y[d:] = x[: len(x) - d]
    return y


def codec_roundtrip(chans, enc, tmp):
    """Each channel through sox: encode (mu-law / GSM 6.10 in WAV) and decode back."""
    out = []
    for i, c in enumerate(chans):
        a, b, d = (os.path.join(tmp, f"{enc}_{i}{s}.wav") for s in ("a", "b", "c"))
        write_wav(a, [c])
        if enc == "g711":
            sox(a, "-e", "mu-law", "-b", "8", b)
        else:
            sox(a, "-e", "gsm-full-rate", b)
        sox(b, "-e", "signed", "-b", "16", d)
        y, _ = read_wav(d)
        y = y[0]
        if len(y) < len(c):
            y = np.concatenate([y, np.zeros(len(c) - len(y))])
        out.append(y[: len(c)])
    return out


# ---------------------------------------------------------------- ground truth (gt.awk's shape)
def audible_extent(voice, start, noise_power):
    """The part of an utterance (`voice`: its samples as placed, gain included, no noise;
    starting at sample `start`) that is over the line noise: from the first to the end of the
    last 10 ms frame whose power is at least the noise's (0 dB SNR). (start, start) when no
    frame is; the whole utterance when there is no noise."""
    n = len(voice)
    if noise_power is None or noise_power <= 0:
        return start, start + n
    k = n // 80
    if k == 0:
        return start, start
    p = (np.asarray(voice[: k * 80]).reshape(k, 80) ** 2).mean(1)
    idx = np.nonzero(p >= noise_power)[0]
    if len(idx) == 0:
        return start, start
    return start + int(idx[0]) * 80, start + min(n, (int(idx[-1]) + 1) * 80)


def truth(cid, title, lang, total, events, note, audible=None):
    """events: (speaker, kind, start, end, text) in samples, end exclusive. audible: a function
    (speaker, start, end) -> (start, end) of the utterance's audible extent (`audible_extent`);
    None: the whole utterance."""
    aud = audible or (lambda sp, s, e: (s, e))
    events = sorted(events, key=lambda e: (e[2], e[3]))
    sec = lambda s: round(s / RATE, 6)
    talk = {"agent": 0, "customer": 0}
    music = 0
    for sp, kind, s, e, _ in events:
        assert 0 <= s < e <= total, (cid, s, e, total)
        if kind == "speech":
            talk[sp] += e - s
        else:
            music += e - s
    for sp in ("agent", "customer"):
        own = [e for e in events if e[0] == sp and e[1] == "speech"]
        for a, b in zip(own, own[1:]):
            assert a[3] <= b[2], f"{cid}: {sp} utterances overlap"
    ot = []
    for a in (e for e in events if e[0] == "agent" and e[1] == "speech"):
        for c in (e for e in events if e[0] == "customer" and e[1] == "speech"):
            s, e = max(a[2], c[2]), min(a[3], c[3])
            if e <= s:
                continue
            if a[2] > c[2]:
                first, second = "customer", "agent"
            elif c[2] > a[2]:
                first, second = "agent", "customer"
            else:
                first = second = "both"
            ot.append((s, e, first, second))
    ot.sort()
    sil, cur = [], 0
    lim = int(MIN_SIL * RATE)
    for _, _, s, e, _ in events:
        if s - cur >= lim:
            sil.append((cur, s))
        cur = max(cur, e)
    if total - cur >= lim:
        sil.append((cur, total))
    at, ct = talk["agent"], talk["customer"]
    return {
        "id": cid,
        "title": title,
        "language": lang,
        "sample_rate": RATE,
        "duration_samples": total,
        "duration_s": sec(total),
        "channels": {"0": "agent (left)", "1": "customer (right)"},
        "definitions": "Robustness corpus (scripts/robustness/make_robustness.py): exact by construction. "
        "Utterance extents are where each clip was placed (end exclusive); talk time counts whole "
        "utterance extents; audible_start/end_sample: the part of the utterance from its first to its "
        "last 10 ms frame at least as loud as the added line noise (the whole utterance on a line "
        "without added noise); overtalk = agent utterance x customer utterance, second_speaker started "
        "while first_speaker was talking; silence = gaps >= 2 s with no utterance and no hold music.",
        "note": note,
        "summary": {
            "talk_time_s": {"agent": sec(at), "customer": sec(ct)},
            "talk_ratio": {"agent": round(at / (at + ct), 4) if at + ct else 0,
                           "customer": round(ct / (at + ct), 4) if at + ct else 0},
            "utterances": sum(1 for e in events if e[1] == "speech"),
            "hold_music_s": sec(music),
            "overtalk_count": len(ot),
            "overtalk_total_s": sec(sum(e - s for s, e, _, _ in ot)),
            "overtalk_started_by": {"agent": sum(1 for o in ot if o[3] == "agent"),
                                    "customer": sum(1 for o in ot if o[3] == "customer")},
            "silence_min_s": MIN_SIL,
            "silence_count": len(sil),
            "silence_total_s": sec(sum(e - s for s, e in sil)),
        },
        "utterances": [
            {"speaker": sp, "channel": 0 if sp == "agent" else 1, "start_s": sec(s), "end_s": sec(e),
             "start_sample": s, "end_sample": e, "text": t,
             "audible_start_sample": aud(sp, s, e)[0], "audible_end_sample": aud(sp, s, e)[1]}
            for sp, k, s, e, t in events if k == "speech"],
        "hold_music": [
            {"channel": 0 if sp == "agent" else 1, "start_s": sec(s), "end_s": sec(e),
             "start_sample": s, "end_sample": e}
            for sp, k, s, e, t in events if k != "speech"],
        "overtalk": [
            {"start_s": sec(s), "end_s": sec(e), "duration_s": sec(e - s), "first_speaker": f,
             "second_speaker": g, "start_sample": s, "end_sample": e} for s, e, f, g in ot],
        "silence": [
            {"start_s": sec(s), "end_s": sec(e), "duration_s": sec(e - s), "start_sample": s,
             "end_sample": e} for s, e in sil],
    }


def events_of(j):
    ev = [(u["speaker"], "speech", u["start_sample"], u["end_sample"], u["text"]) for u in j["utterances"]]
    ev += [("agent" if h["channel"] == 0 else "customer", "hold_music", h["start_sample"], h["end_sample"], "")
           for h in j["hold_music"]]
    return ev


# ---------------------------------------------------------------- conditions on the masters
# name -> (description, function(chans, rng, tmp) -> chans)
def cond_gain(agent_db, noise_db=None, codec=None):
    def f(ch, rng, tmp):
        a, c = ch[0] * db(agent_db), ch[1].copy()
        if noise_db is not None:
            a = a + line_noise(len(a), noise_db, rng)
            c = c + line_noise(len(c), noise_db, rng)
        out = [a, c]
        if codec:
            out = codec_roundtrip(out, codec, tmp)
        return out
    return f


def cond_noise(noise_db):
    return lambda ch, rng, tmp: [x + line_noise(len(x), noise_db, rng) for x in ch]


def cond_hum(ch, rng, tmp):
    return [x + hum(len(x), -40.0, rng) for x in ch]


def cond_clip_dc(ch, rng, tmp):
    return [np.clip(x * db(9.0) + 0.05, -1.0, 32767 / 32768) for x in ch]


def cond_echo(ch, rng, tmp):
    """Hybrid echo: each side's voice leaks into the other's channel 20-60 ms late at -20..-30 dB
    (delay and level drawn per direction)."""
    a, c = ch
    d1, d2 = (int(rng.uniform(0.020, 0.060) * RATE) for _ in range(2))
    g1, g2 = (db(rng.uniform(-30.0, -20.0)) for _ in range(2))
    return [a + g2 * delay(c, d2), c + g1 * delay(a, d1)]


def cond_codec(enc):
    return lambda ch, rng, tmp: codec_roundtrip(ch, enc, tmp)


CONDITIONS = {
    "clean": ("the master unchanged (reference)", lambda ch, rng, tmp: ch),
    "agent_m10": ("agent channel -10 dB", cond_gain(-10)),
    "agent_m20": ("agent channel -20 dB", cond_gain(-20)),
    "agent_m30": ("agent channel -30 dB", cond_gain(-30)),
    "noise_m50": ("band-limited line noise at -50 dBFS RMS added to both channels", cond_noise(-50)),
    "noise_m42": ("band-limited line noise at -42 dBFS RMS added to both channels", cond_noise(-42)),
    "noise_m36": ("band-limited line noise at -36 dBFS RMS added to both channels", cond_noise(-36)),
    "hum_m40": ("mains hum (50 Hz harmonics 3-9) at -40 dBFS RMS on both channels", cond_hum),
    "clip_dc": ("+9 dB gain, clipped at full scale, +0.05 DC offset", cond_clip_dc),
    "echo": ("hybrid echo: the other side 20-60 ms late at -20..-30 dB, both directions", cond_echo),
    "g711": ("G.711 mu-law round trip (sox)", cond_codec("g711")),
    "gsm": ("GSM 6.10 round trip (sox)", cond_codec("gsm")),
    "agent_m18_noise_m42": ("agent -18 dB and line noise at -42 dBFS on both channels (issue 13, row 1)",
                            cond_gain(-18, -42)),
    "agent_m20_g711": ("agent -20 dB, then G.711 mu-law round trip", cond_gain(-20, None, "g711")),
}


# The conditions that add noise: (agent gain dB, the noise's level dBFS RMS), for the truth's
# audible extents (the master's own quiet bed scales with it elsewhere: no change there).
NOISY = {"noise_m50": (0, -50), "noise_m42": (0, -42), "noise_m36": (0, -36), "hum_m40": (0, -40),
         "agent_m18_noise_m42": (-18, -42)}


# ---------------------------------------------------------------- random placements
def clips_of_masters(mdir):
    """Every utterance of every master, cut at its exact extent: (speaker, samples, text)."""
    out = {"agent": [], "customer": []}
    for m in MASTERS:
        x, _ = read_wav(os.path.join(mdir, m + ".wav"))
        j = json.load(open(os.path.join(mdir, m + ".json")))
        for u in j["utterances"]:
            out[u["speaker"]].append((x[u["channel"]][u["start_sample"]:u["end_sample"]].copy(), u["text"]))
    return out


def place(cid, turns, rng, bed_db, hold=None):
    """turns: list of (speaker, clip, text, when, offset_s) where `when` is '+' (after the
    previous item's end) or '-' (before it: overtalk) or 'same+' (after the same speaker's last
    end, e.g. a new sentence while the other side talks). hold: (seconds, clip) placed as an
    agent-channel item in the sequence when a turn's speaker is 'hold'."""
    pos = {"agent": 0, "customer": 0}
    prev_end = 0
    items = []
    for sp, clip, text, when, off in turns:
        ch = "agent" if sp == "hold" else sp
        n = len(clip)
        o = int(round(off * RATE))
        if when == "+":
            s = prev_end + o
        elif when == "-":
            s = prev_end - o
        else:
            s = pos[ch] + o
        # A speaker's next utterance never runs into their last one: when the planned start
        # falls inside or right after it, it moves to 0.7 s after it (longer than the pauses
        # inside a sentence). 'same+' keeps its own offset (0.05-0.3 s: a new sentence right
        # after the last one, the back-to-back case).
        gap = 0 if when == "same+" else int(0.7 * RATE)
        if pos[ch] > 0 and s < pos[ch] + gap:
            s = pos[ch] + gap
        s = max(s, 0)
        items.append((sp, s, clip, text))
        pos[ch] = s + n
        prev_end = s + n
    total = max(s + len(c) for _, s, c, _ in items) + int(rng.uniform(0.5, 1.5) * RATE)
    chans = [np.zeros(total), np.zeros(total)]
    events = []
    for sp, s, clip, text in items:
        c = 0 if sp in ("agent", "hold") else 1
        chans[c][s:s + len(clip)] += clip
        if sp == "hold":
            events.append(("agent", "hold_music", s, s + len(clip), ""))
        else:
            events.append((sp, "speech", s, s + len(clip), text))
    chans = [x + line_noise(total, bed_db, rng) for x in chans]
    extents = {(sp, s, s + len(clip)): audible_extent(clip, s, db(bed_db) ** 2)
               for sp, s, clip, _ in items if sp != "hold"}
    return chans, events, total, lambda sp, s, e: extents[(sp, s, e)]


def script(rng, pool, n_turns, backtoback):
    """A random conversation: alternating turns, gaps 0.3-1.2 s, some 2.5-5 s dead air, about a
    third of the turns cutting in 0.3-2 s before the other side ends; with `backtoback`, the
    interrupted speaker sometimes starts a new sentence 0.05-0.3 s after their last one while
    the other is still talking."""
    turns = []
    sp = "agent"
    last_len = 0.0
    for k in range(n_turns):
        clip, text = pool[sp][rng.integers(len(pool[sp]))]
        dur = len(clip) / RATE
        r = rng.uniform()
        if k == 0:
            turns.append((sp, clip, text, "+", rng.uniform(0.3, 1.0)))
        elif r < 0.35 and last_len > 1.0:
            turns.append((sp, clip, text, "-", rng.uniform(0.3, min(2.0, last_len - 0.5))))
            if backtoback and rng.uniform() < 0.5:
                # the one cut in on goes on with a new sentence while the interrupter talks
                other = "customer" if sp == "agent" else "agent"
                c2, t2 = pool[other][rng.integers(len(pool[other]))]
                turns.append((other, c2, t2, "same+", rng.uniform(0.05, 0.3)))
                sp, dur = other, len(c2) / RATE
        elif r < 0.45:
            turns.append((sp, clip, text, "+", rng.uniform(2.5, 5.0)))
        else:
            turns.append((sp, clip, text, "+", rng.uniform(0.3, 1.2)))
        last_len = dur
        sp = "customer" if sp == "agent" else "agent"
    return turns


# ---------------------------------------------------------------- real speech
def trim_prompt(x):
    """The stated energy rule (module doc). Returns the trimmed clip or None."""
    x = x - x.mean()
    pk = np.abs(x).max()
    if pk == 0:
        return None
    x = x / pk * db(-1.0)
    n = len(x) // 80
    if n < 3:
        return None
    fr = x[: n * 80].reshape(n, 80)
    act = 10 * np.log10((fr ** 2).mean(1) + 1e-20) >= -45.0
    idx = np.nonzero(act)[0]
    if len(idx) == 0:
        return None
    a, b = idx[0], idx[-1]
    gap = run = 0
    for v in act[a:b + 1]:
        run = 0 if v else run + 1
        gap = max(gap, run)
    if gap >= 40:
        return None
    thr = db(-45.0)
    lo, hi = max(0, (a - 1) * 80), min(len(x), (b + 2) * 80)
    above = np.nonzero(np.abs(x[lo:hi]) >= thr)[0]
    s, e = lo + above[0], lo + above[-1] + 1
    y = x[s:e]
    if not (1.0 <= len(y) / RATE <= 8.0):
        return None
    return y


def multi_sentence_prompts():
    """Names of the prompts that say more than one sentence (their truth would hide a sentence
    boundary inside one utterance): scripts/robustness/multi_sentence_prompts.tsv."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "multi_sentence_prompts.tsv")
    with open(path, encoding="utf-8") as f:
        return {l.split("\t", 1)[0] for l in f if l.strip() and not l.startswith("#")}


def prompt_pool():
    if not os.path.isdir(PROMPTS):
        return None
    multi = multi_sentence_prompts()
    pool = []
    for f in sorted(os.listdir(PROMPTS)):
        if not f.endswith(".wav") or f.startswith("tt-") or f[:-4] in multi:
            continue
        try:
            x, r = read_wav(os.path.join(PROMPTS, f))
        except (AssertionError, wave.Error, EOFError):
            continue
        if r != RATE or x.shape[0] != 1:
            continue
        y = trim_prompt(x[0])
        if y is not None:
            pool.append((y, f[:-4]))
    return pool


def moh_clip(rng, seconds):
    tracks = sorted(f for f in os.listdir(MOH) if f.endswith(".wav")) if os.path.isdir(MOH) else []
    if not tracks:
        return None
    x, r = read_wav(os.path.join(MOH, tracks[rng.integers(len(tracks))]))
    assert r == RATE
    x = x[0] - x[0].mean()
    n = int(seconds * RATE)
    start = int(20 * RATE) + int(rng.uniform(0, max(1, len(x) - n - 21 * RATE)))
    y = x[start:start + n]
    return y / np.sqrt(np.mean(y ** 2)) * db(MOH_DB)


def real_call(cid, rng, pool, n_turns, backtoback=False):
    """A call of real prompts as turns (as `script`), music on hold halfway; with `backtoback`,
    the speaker cut in on sometimes starts a new prompt 0.05-0.3 s after their last one while
    the interrupter is still talking (each prompt is a whole recorded sentence or phrase)."""
    turns = []
    sp = "agent"
    last_len = 0.0
    hold_at = n_turns // 2
    for k in range(n_turns):
        clip, text = pool[rng.integers(len(pool))]
        clip = clip / np.abs(clip).max() * db(rng.uniform(-8.0, -3.0))
        r = rng.uniform()
        if k == hold_at:
            h = moh_clip(rng, rng.uniform(12.0, 20.0))
            if h is not None:
                turns.append(("hold", h, "", "+", rng.uniform(0.5, 1.0)))
                turns.append(("agent", clip, text, "+", rng.uniform(0.5, 1.0)))
                sp, last_len = "customer", len(clip) / RATE
                continue
        if k > 0 and r < (0.5 if backtoback else 0.3) and last_len > 1.2:
            turns.append((sp, clip, text, "-", rng.uniform(0.3, min(1.5, last_len - 0.5))))
            if backtoback:
                other = "customer" if sp == "agent" else "agent"
                c2, t2 = pool[rng.integers(len(pool))]
                c2 = c2 / np.abs(c2).max() * db(rng.uniform(-8.0, -3.0))
                turns.append((other, c2, t2, "same+", rng.uniform(0.05, 0.3)))
                sp, clip = other, c2
        elif k > 0 and r < 0.4:
            turns.append((sp, clip, text, "+", rng.uniform(2.5, 5.0)))
        else:
            turns.append((sp, clip, text, "+", rng.uniform(0.3, 1.2)))
        last_len = len(clip) / RATE
        sp = "customer" if sp == "agent" else "agent"
    return turns


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--masters", default=os.path.join(REPO, "tests/fixtures/corpus"))
    ap.add_argument("--sample", action="store_true",
                    help="the sample the test runs: every condition on two masters, fewer placements")
    ap.add_argument("--only", default="", help="comma-separated condition names")
    ap.add_argument("--salt", default="",
                    help="salts every seed: other calls (placements, prompts, noise) for a held-out check")
    ap.add_argument("--moh-db", type=float, default=-24.0,
                    help="level of the music on hold in the real-voice calls, dBFS RMS (default -24)")
    args = ap.parse_args()
    global SALT, MOH_DB
    SALT, MOH_DB = args.salt, args.moh_db
    if shutil.which("sox") is None:
        sys.exit("make_robustness.py: sox missing (apt-get install sox libsox-fmt-all)")
    os.makedirs(args.out, exist_ok=True)
    only = set(filter(None, args.only.split(",")))
    want = lambda c: not only or c in only
    manifest = []
    tmp = tempfile.mkdtemp()
    try:
        masters = ["dev_b_cutoff", "dev_d_long_hold"] if args.sample else MASTERS
        for m in masters:
            x, r = read_wav(os.path.join(args.masters, m + ".wav"))
            assert r == RATE and x.shape[0] == 2
            j = json.load(open(os.path.join(args.masters, m + ".json")))
            for cond, (desc, fn) in CONDITIONS.items():
                if not want(cond):
                    continue
                name = f"{m}__{cond}"
                chans = fn([x[0].copy(), x[1].copy()], rng_for(name), tmp)
                write_wav(os.path.join(args.out, name + ".wav"), chans)
                aud = None
                if cond in NOISY:
                    gain_db, noise_db = NOISY[cond]
                    voice = [x[0] * db(gain_db), x[1]]
                    aud = (lambda sp, s, e, voice=voice, p=db(noise_db) ** 2:
                           audible_extent(voice[0 if sp == "agent" else 1][s:e], s, p))
                t = truth(name, j["title"], j["language"], j["duration_samples"], events_of(j),
                          f"{cond}: {desc} (truth: the master's)", aud)
                json.dump(t, open(os.path.join(args.out, name + ".json"), "w"), ensure_ascii=False, indent=1)
                manifest.append((name, cond, "master", desc))

        pool = clips_of_masters(args.masters)
        n_calls = 2 if args.sample else 6
        for fam, b2b, agent_db, bed in [("placed", False, 0, -55), ("placed_backtoback", True, 0, -55),
                                        ("placed_agent_m20_noise_m50", True, -20, -50)]:
            if not want(fam):
                continue
            for i in range(n_calls):
                name = f"{fam}_{i}"
                # the noisy family replays the back-to-back family's scripts
                rng = rng_for(name if fam != "placed_agent_m20_noise_m50" else f"placed_backtoback_{i}")
                turns = script(rng, pool, int(rng.integers(10, 16)), b2b)
                turns = [(sp, c * (db(agent_db) if sp == "agent" else 1.0), t, w, o) for sp, c, t, w, o in turns]
                chans, ev, total, aud = place(name, turns, rng, bed)
                desc = {"placed": "masters' utterances at random offsets, overtalk and dead air",
                        "placed_backtoback": "as placed, and the interrupted side starts new sentences "
                                             "0.05-0.3 s after its last one during overtalk",
                        "placed_agent_m20_noise_m50": "as placed_backtoback, agent -20 dB, "
                                                      "noise bed -50 dBFS"}[fam]
                write_wav(os.path.join(args.out, name + ".wav"), chans)
                json.dump(truth(name, desc, "en/hi", total, ev, desc, aud),
                          open(os.path.join(args.out, name + ".json"), "w"), ensure_ascii=False, indent=1)
                manifest.append((name, fam, "placed", desc))

        real = [("real", 0, -55), ("real_agent_m20_noise_m54", -20, -54), ("real_agent_m30", -30, -55),
                ("real_noise_m42", 0, -42), ("real_backtoback", 0, -55)]
        if any(want(f) for f, _, _ in real):
            pool = prompt_pool()
            if not pool:
                print("make_robustness.py: asterisk-core-sounds-en-wav missing: no real-speech calls",
                      file=sys.stderr)
            else:
                for fam, agent_db, bed in real:
                    if not want(fam):
                        continue
                    b2b = fam == "real_backtoback"
                    for i in range((2 if args.sample else 4) + (4 if b2b and not args.sample else 0)):
                        name = f"{fam}_{i}"
                        # the same call under each condition; the back-to-back family its own calls
                        rng = rng_for(f"real_bb_{i}" if b2b else f"real_{i}")
                        turns = real_call(name, rng, pool, int(rng.integers(12, 18)), b2b)
                        # the headset is quiet, not the PBX's music on hold
                        turns = [(sp, c * (db(agent_db) if sp == "agent" else 1.0), t, w, o)
                                 for sp, c, t, w, o in turns]
                        chans, ev, total, aud = place(name, turns, rng_for(f"real_bb_{i}_bed" if b2b else f"real_{i}_bed"), bed)
                        desc = f"real voices (Asterisk prompts) as turns, real music on hold; agent {agent_db} dB, noise bed {bed} dBFS"
                        if b2b:
                            desc += "; the interrupted side starts a new prompt 0.05-0.3 s after its last one during overtalk"
                        write_wav(os.path.join(args.out, name + ".wav"), chans)
                        json.dump(truth(name, desc, "en", total, ev, desc, aud),
                                  open(os.path.join(args.out, name + ".json"), "w"), ensure_ascii=False, indent=1)
                        manifest.append((name, fam, "real", desc))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with open(os.path.join(args.out, "manifest.tsv"), "w") as f:
        f.write("file\tcondition\tfamily\tdescription\n")
        for row in manifest:
            f.write("\t".join(row) + "\n")
    print(f"make_robustness.py: {len(manifest)} calls in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
