#!/usr/bin/env python3
"""peer_vad.py - peer voice-activity detectors on the robustness corpus, scored like callqa.

    usage: peer_vad.py CORPUS_DIR [--peers silero,webrtc3,webrtc1] [--per-call FILE.tsv]
    needs: numpy, onnxruntime, silero-vad (installed --no-deps: only its .onnx file and the pure
           Python post-processing are used, never torch), webrtcvad-wheels.
           scripts/robustness/peer-vad.sh makes a venv with them and runs this.

Reads CORPUS_DIR/manifest.tsv (file, condition, ...) and, per call, CORPUS_DIR/<file>.wav
(stereo PCM16 8 kHz, ch0 agent, ch1 customer) and CORPUS_DIR/<file>.json (the ground truth of
scripts/robustness/make_robustness.py). Prints a markdown table, one row per condition and peer
(conditions in the manifest's order). Nothing is tuned per file or per condition: every peer
runs with the fixed parameters below on every call.

Peers (each channel is analysed on its own, as mono 8 kHz):
- silero: Silero VAD, the package's silero_vad.onnx (opset 16, the file load_silero_vad(onnx=True)
  loads) run with onnxruntime on 1 thread at 8000 Hz: 256-sample windows, each with the previous
  32 samples as context and the recurrent state carried over from the file's start (one state
  per channel, both channels run as a batch of 2), exactly as the package's
  OnnxWrapper does (the last partial window zero-padded, as get_speech_timestamps does). Input
  is int16 / 32768. Speech probabilities go through the package's own
  get_speech_timestamps_from_probs (its source is read from the installed silero_vad/utils_vad.py
  and executed without importing the module, which would import torch) with its defaults:
  threshold 0.5 (neg_threshold 0.35), min_speech_duration_ms 250, min_silence_duration_ms 100,
  speech_pad_ms 30, max_speech_duration_s inf.
- webrtc3 / webrtc1: WebRTC VAD (webrtcvad-wheels) in aggressiveness mode 3 / 1, 30 ms frames
  (240 samples) at 8000 Hz, the last partial frame zero-padded, a fresh Vad instance per
  channel and call (it adapts its noise and speech models as it goes). Smoothing (stated, the same for
  both modes): hangover of 5 frames - a run of speech frames goes on through up to 5
  non-speech frames (gaps <= 150 ms between speech frames are filled), ends are not extended;
  then a speech run shorter than 3 frames (90 ms) is dropped. Span edges are frame edges.

Metrics (per call, then per condition over its calls), exactly:
- talk per side: got = total duration of the peer's speech spans on that channel (s); want =
  the truth's summary.talk_time_s of that speaker (the sum of its utterance extents). Relative
  error = (got - want) / want (= got when want is 0). Per condition: "worst" = the signed error
  of largest magnitude over its calls, "mean" = the mean of |error| over its calls. Speech spans
  that cover hold music count as talk (the peers have no notion of hold).
- talk outside hold (a diagnostic, not a peer's output): the same, with got = the speech on that
  channel outside the truth's hold_music spans of that channel (want unchanged: utterances
  never overlap hold). It separates "takes music for speech" from "misses or adds speech".
  Only the agent side is shown (hold music is on the agent channel in this corpus).
- dead air: the detected spans are the gaps of the union of both channels' speech spans,
  including the gap from 0 to the first speech and from the last speech to the end of the
  file, that last >= 2.0 s. True spans: the truth's "silence" list (gaps >= 2 s with no
  utterance and no hold music). Matching is one-to-one, true spans in order, each taking the
  first unused detected span whose start AND end are both within 50 ms of its own (such a span
  overlaps it). found = true spans matched; true = number of true spans; invented = detected
  spans left unmatched; worst edge = the largest |edge difference| over the matched pairs.
  "at 250 ms": the same one-to-one matching with 250 ms instead of 50 ms (found there, and
  invented there), to tell spans a peer finds with loose edges from spans it does not find.
- hold (truth hold_music spans, on their channel): cover = the part of the hold span covered by
  the peer's speech spans on that channel (min over the condition's hold spans; "-" when the
  condition has none); as dead air = seconds of hold spans inside detected dead air, summed
  over the condition's calls.
This is the scoring of tests/robustness.rs (talk, dead air) for spans from a peer; callqa's own
hold cover counts hold *reported as hold*, which a VAD does not report: here the column says
how much of the music a peer takes for speech.
"""
import argparse
import ast
import importlib.util
import json
import os
import sys
import time
import wave

import numpy as np

RATE = 8000
MIN_DEAD_AIR_S = 2.0
EDGE_S = 0.05
LOOSE_EDGE_S = 0.25

# ---------------------------------------------------------------- Silero VAD (ONNX, no torch)

SILERO_WIN = 256  # samples per window at 8 kHz
SILERO_CTX = 32  # context samples at 8 kHz
SILERO_PARAMS = dict(threshold=0.5, min_speech_duration_ms=250, min_silence_duration_ms=100,
                     speech_pad_ms=30)


def silero_dir():
    spec = importlib.util.find_spec("silero_vad")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        sys.exit("peer_vad.py: the silero-vad package is not installed")
    return list(spec.submodule_search_locations)[0]


def silero_postprocess():
    """The package's get_speech_timestamps_from_probs, taken from its source (pure Python)."""
    path = os.path.join(silero_dir(), "utils_vad.py")
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    fn = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "get_speech_timestamps_from_probs"]
    if not fn:
        sys.exit(f"peer_vad.py: no get_speech_timestamps_from_probs in {path}")
    ns = {}
    exec("from typing import List, Callable\n", ns)
    exec(compile(ast.Module(body=fn, type_ignores=[]), path, "exec"), ns)
    return ns["get_speech_timestamps_from_probs"]


class Silero:
    name = "silero"

    def __init__(self):
        import onnxruntime
        opts = onnxruntime.SessionOptions()
        opts.inter_op_num_threads = 1
        opts.intra_op_num_threads = 1
        self.model_path = os.path.join(silero_dir(), "data", "silero_vad.onnx")
        self.sess = onnxruntime.InferenceSession(self.model_path, providers=["CPUExecutionProvider"],
                                                 sess_options=opts)
        self.post = silero_postprocess()

    def probs(self, x):
        """x: float32 (channels, n). Speech probability per 256-sample window, per channel."""
        ch, n = x.shape
        nwin = (n + SILERO_WIN - 1) // SILERO_WIN
        pad = np.zeros((ch, nwin * SILERO_WIN), dtype=np.float32)
        pad[:, :n] = x
        state = np.zeros((2, ch, 128), dtype=np.float32)
        ctx = np.zeros((ch, SILERO_CTX), dtype=np.float32)
        sr = np.array(RATE, dtype=np.int64)
        out = np.empty((ch, nwin), dtype=np.float32)
        for i in range(nwin):
            chunk = np.concatenate([ctx, pad[:, i * SILERO_WIN:(i + 1) * SILERO_WIN]], axis=1)
            p, state = self.sess.run(None, {"input": chunk, "state": state, "sr": sr})
            out[:, i] = p[:, 0]
            ctx = chunk[:, -SILERO_CTX:]
        return out

    def spans(self, pcm):
        """pcm: int16 (n, channels). Speech spans (start_s, end_s) per channel."""
        x = (pcm.T.astype(np.float32) / 32768.0)
        pr = self.probs(x)  # both channels as a batch of 2: each keeps its own state and context
        res = []
        for c in range(x.shape[0]):
            ts = self.post([float(v) for v in pr[c]], sampling_rate=RATE, audio_length_samples=x.shape[1],
                           **SILERO_PARAMS)
            res.append([(t["start"] / RATE, t["end"] / RATE) for t in ts])
        return res


# ---------------------------------------------------------------- WebRTC VAD

WEBRTC_FRAME = 240  # 30 ms at 8 kHz
WEBRTC_HANGOVER = 5  # frames of non-speech a speech run goes on through
WEBRTC_MIN_RUN = 3  # frames: shorter speech runs (after the hangover) are dropped


class WebRtc:
    def __init__(self, mode):
        import webrtcvad
        self.webrtcvad = webrtcvad
        self.mode = mode
        self.name = f"webrtc{mode}"

    def frames(self, mono):
        # A fresh instance per channel: the VAD adapts its noise and speech models as it goes.
        vad = self.webrtcvad.Vad(self.mode)
        n = len(mono)
        nf = (n + WEBRTC_FRAME - 1) // WEBRTC_FRAME
        pad = np.zeros(nf * WEBRTC_FRAME, dtype="<i2")
        pad[:n] = mono
        buf = pad.tobytes()
        fb = WEBRTC_FRAME * 2
        return np.array([vad.is_speech(buf[i * fb:(i + 1) * fb], RATE) for i in range(nf)], dtype=bool)

    def spans(self, pcm):
        res = []
        n = pcm.shape[0]
        for c in range(pcm.shape[1]):
            f = self.frames(np.ascontiguousarray(pcm[:, c]))
            runs = runs_of(f)
            merged = []
            for s, e in runs:  # hangover: fill gaps of <= WEBRTC_HANGOVER frames
                if merged and s - merged[-1][1] <= WEBRTC_HANGOVER:
                    merged[-1] = (merged[-1][0], e)
                else:
                    merged.append((s, e))
            res.append([(s * WEBRTC_FRAME / RATE, min(e * WEBRTC_FRAME, n) / RATE)
                        for s, e in merged if e - s >= WEBRTC_MIN_RUN])
        return res


def runs_of(flags):
    """[start, end) index runs of True."""
    d = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


# ---------------------------------------------------------------- scoring


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getframerate() == RATE and w.getsampwidth() == 2 and w.getnchannels() == 2, path
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2)


def union(spans):
    out = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def dead_air(chans, dur):
    gaps, cur = [], 0.0
    for s, e in union([x for c in chans for x in c]):
        if s - cur >= MIN_DEAD_AIR_S:
            gaps.append((cur, s))
        cur = max(cur, e)
    if dur - cur >= MIN_DEAD_AIR_S:
        gaps.append((cur, dur))
    return gaps


def overlap(spans, a, b):
    return sum(max(0.0, min(e, b) - max(s, a)) for s, e in spans)


def match(true_spans, det, tol):
    """One-to-one, true spans in order, each taking the first unused detected span with both
    edges within tol. Returns (found, used flags of det, worst edge of the matches)."""
    used = [False] * len(det)
    found, worst = 0, 0.0
    for t in true_spans:
        ts, te = t["start_s"], t["end_s"]
        for j, (s, e) in enumerate(det):
            if not used[j] and abs(s - ts) <= tol and abs(e - te) <= tol:
                used[j] = True
                found += 1
                worst = max(worst, abs(s - ts), abs(e - te))
                break
    return found, used, worst


class Score:
    def __init__(self):
        self.calls = 0
        self.talk_worst = [0.0, 0.0]
        self.talk_abs = [0.0, 0.0]
        self.nohold_worst = [0.0, 0.0]
        self.nohold_abs = [0.0, 0.0]
        self.sil_true = self.sil_found = self.sil_invented = 0
        self.sil_worst_edge = 0.0
        self.loose_found = self.loose_invented = 0
        self.hold_n = 0
        self.hold_cover_min = 1.0
        self.hold_as_dead_s = 0.0

    def add(self, truth, chans, dur):
        self.calls += 1
        rels = []
        for c, who in enumerate(("agent", "customer")):
            got = sum(e - s for s, e in chans[c])
            want = truth["summary"]["talk_time_s"][who]
            rel = (got - want) / want if want > 0 else got
            if abs(rel) > abs(self.talk_worst[c]):
                self.talk_worst[c] = rel
            self.talk_abs[c] += abs(rel)
            rels.append(rel)
            held = sum(overlap(chans[c], h["start_s"], h["end_s"]) for h in truth["hold_music"] if h["channel"] == c)
            rel = (got - held - want) / want if want > 0 else got - held
            if abs(rel) > abs(self.nohold_worst[c]):
                self.nohold_worst[c] = rel
            self.nohold_abs[c] += abs(rel)
        det = dead_air(chans, dur)
        found, used, edge = match(truth["silence"], det, EDGE_S)
        if found:
            self.sil_worst_edge = max(self.sil_worst_edge, edge)
        self.sil_true += len(truth["silence"])
        self.sil_found += found
        self.sil_invented += used.count(False)
        loose, lused, _ = match(truth["silence"], det, LOOSE_EDGE_S)
        self.loose_found += loose
        self.loose_invented += lused.count(False)
        covers = []
        for h in truth["hold_music"]:
            hs, he = h["start_s"], h["end_s"]
            cover = overlap(chans[h["channel"]], hs, he) / (he - hs)
            self.hold_n += 1
            self.hold_cover_min = min(self.hold_cover_min, cover)
            self.hold_as_dead_s += overlap(det, hs, he)
            covers.append(cover)
        return rels, found, len(truth["silence"]), used.count(False), covers

    def row(self, cond, peer):
        n = max(self.calls, 1)
        hold = (f"{100 * self.hold_cover_min:.0f} %, {self.hold_as_dead_s:.1f} s" if self.hold_n else "–")
        edge = f"{1000 * self.sil_worst_edge:.0f} ms" if self.sil_found else "–"
        return (f"| {cond} | {peer} | {self.calls} | {100 * self.talk_worst[0]:+.1f} % ({100 * self.talk_abs[0] / n:.1f} %) "
                f"| {100 * self.talk_worst[1]:+.1f} % ({100 * self.talk_abs[1] / n:.1f} %) "
                f"| {100 * self.nohold_worst[0]:+.1f} % ({100 * self.nohold_abs[0] / n:.1f} %) "
                f"| {self.sil_found}/{self.sil_true}, {self.sil_invented}, {edge} "
                f"| {self.loose_found}/{self.sil_true}, {self.loose_invented} | {hold} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--peers", default="silero,webrtc3,webrtc1")
    ap.add_argument("--per-call", help="also write per-call figures to this TSV file")
    a = ap.parse_args()
    peers = []
    for p in a.peers.split(","):
        if p == "silero":
            peers.append(Silero())
        elif p.startswith("webrtc") and p[6:] in ("0", "1", "2", "3"):
            peers.append(WebRtc(int(p[6:])))
        else:
            sys.exit(f"peer_vad.py: unknown peer {p}")
    rows = []
    with open(os.path.join(a.corpus, "manifest.tsv"), encoding="utf-8") as f:
        for line in f.read().splitlines()[1:]:
            fields = line.split("\t")
            if len(fields) >= 2:
                rows.append((fields[0], fields[1]))
    order, scores = [], {}
    per_call = []
    seconds = {p.name: 0.0 for p in peers}
    audio_s = 0.0
    for i, (stem, cond) in enumerate(rows):
        pcm = read_wav(os.path.join(a.corpus, stem + ".wav"))
        truth = json.load(open(os.path.join(a.corpus, stem + ".json"), encoding="utf-8"))
        dur = pcm.shape[0] / RATE
        audio_s += dur
        if cond not in order:
            order.append(cond)
        for p in peers:
            t0 = time.perf_counter()
            chans = p.spans(pcm)
            seconds[p.name] += time.perf_counter() - t0
            rels, found, true, inv, covers = scores.setdefault((cond, p.name), Score()).add(truth, chans, dur)
            per_call.append((stem, cond, p.name, rels[0], rels[1], found, true, inv, covers))
        print(f"[{i + 1}/{len(rows)}] {stem}", file=sys.stderr)
    print("| condition | peer | calls | talk agent worst (mean) | talk customer worst (mean) | talk agent outside true hold, worst (mean) "
          "| dead air found/true, invented, worst edge | dead air at 250 ms: found/true, invented "
          "| hold as speech (min), hold as dead air |")
    print("|---|---|---|---|---|---|---|---|---|")
    for cond in order:
        for p in peers:
            print(scores[(cond, p.name)].row(cond, p.name))
    print()
    print(f"Audio: {audio_s / 60:.1f} min of stereo calls; processing time per peer (both channels): "
          + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))
    if a.per_call:
        with open(a.per_call, "w", encoding="utf-8") as f:
            f.write("file\tcondition\tpeer\ttalk_agent_rel\ttalk_customer_rel\tdead_found\tdead_true\tdead_invented\thold_cover\n")
            for stem, cond, peer, ra, rc, fo, tr, inv, covers in per_call:
                f.write(f"{stem}\t{cond}\t{peer}\t{ra:+.4f}\t{rc:+.4f}\t{fo}\t{tr}\t{inv}\t"
                        + ",".join(f"{c:.3f}" for c in covers) + "\n")


if __name__ == "__main__":
    main()
