"""Synthesise the bench's feedback sounds (resources/sounds/*.wav) with the standard library.

Usage: python scripts/make_sounds.py [OUT_DIR]

A grader with a parcel in both hands hears whether a scan went in without looking at the
screen, so the three sounds must be told apart at once even in a noisy warehouse:

* ``scan_accepted``: one short high blip (the "beep" every scanner user expects);
* ``scan_rejected``: a low double buzz, harsh on purpose (odd harmonics of 180 Hz);
* ``verdict_recorded``: a rising two-tone chime, slower and softer (a job done, not a warning).

Each stays under 400 ms so a fast grader's next scan is not drowned, and each note has a
raised-cosine attack and release so the speaker does not click. Synthesised (no samples, no
randomness), so re-running the script writes byte-identical files: 16-bit mono PCM at 22.05 kHz
keeps all three around 35 KB in total.
"""

from __future__ import annotations

import math
import sys
import wave
from array import array
from collections.abc import Sequence
from pathlib import Path

RATE = 22_050
#: Peak level, below full scale so harmonics summed never clip (and not painfully loud).
PEAK = 0.7
ATTACK_S = 0.008
RELEASE_S = 0.030


def tone(
    freq: float,
    seconds: float,
    *,
    harmonics: Sequence[tuple[int, float]] = ((1, 1.0),),
    decay: float = 0.0,
    release_s: float = RELEASE_S,
) -> list[float]:
    """One note: the sum of ``harmonics`` (multiple, weight) of ``freq``, normalised to ±1,
    shaped by a raised-cosine attack and release and an optional exponential decay (per s)."""
    count = round(seconds * RATE)
    attack = max(1, round(ATTACK_S * RATE))
    release = max(1, round(release_s * RATE))
    total = sum(weight for _, weight in harmonics)
    samples = []
    for i in range(count):
        t = i / RATE
        value = sum(w * math.sin(2 * math.pi * freq * k * t) for k, w in harmonics) / total
        if i < attack:
            value *= 0.5 - 0.5 * math.cos(math.pi * i / attack)
        tail = count - 1 - i
        if tail < release:
            value *= 0.5 - 0.5 * math.cos(math.pi * tail / release)
        if decay:
            value *= math.exp(-decay * t)
        samples.append(value)
    return samples


def silence(seconds: float) -> list[float]:
    return [0.0] * round(seconds * RATE)


def scan_accepted() -> list[float]:
    # 1.8 kHz sits where the ear is most sensitive and cuts through a conveyor's rumble.
    return tone(1800, 0.11, harmonics=((1, 1.0), (2, 0.15)), release_s=0.04)


def scan_rejected() -> list[float]:
    # Odd harmonics make it buzz like a square wave, but band-limited so it does not alias.
    buzz = ((1, 1.0), (3, 0.5), (5, 0.3), (7, 0.2))
    note = tone(180, 0.13, harmonics=buzz, release_s=0.025)
    return note + silence(0.06) + note


def verdict_recorded() -> list[float]:
    # A5 then E6 (a rising fifth), each dying away like a struck bell.
    bell = ((1, 1.0), (2, 0.25), (3, 0.08))
    return tone(880, 0.15, harmonics=bell, decay=4.0, release_s=0.03) + tone(
        1318.5, 0.23, harmonics=bell, decay=6.0, release_s=0.08
    )


SOUNDS = {
    "scan_accepted": scan_accepted,
    "scan_rejected": scan_rejected,
    "verdict_recorded": verdict_recorded,
}


def write_wav(path: Path, samples: Sequence[float]) -> None:
    pcm = array("h", (round(max(-1.0, min(1.0, s)) * PEAK * 32767) for s in samples))
    if sys.byteorder == "big":
        pcm.byteswap()  # WAV is little-endian
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())


def main(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in SOUNDS.items():
        path = out / f"{name}.wav"
        samples = make()
        write_wav(path, samples)
        print(f"{path.name}: {len(samples) * 1000 // RATE} ms, {path.stat().st_size // 1024} KB")
        written.append(path)
    return written


if __name__ == "__main__":
    default = Path(__file__).resolve().parent.parent / "resources" / "sounds"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
