#!/usr/bin/env bash
# Makes test/fixtures/audio/speech-clip.wav (16 kHz mono 16-bit PCM) and speech-clip.json, its ground truth:
# silence 0.8 s, sentence one, silence 1.2 s, sentence two, silence 0.8 s. Both sentences are spoken by Debian's
# espeak-ng (1.51, voice en-us, 175 words/min) and trimmed by sox to the first and last sample above -40 dBFS, so
# each sentence's start and end in the clip are the sums of the pieces' lengths in samples. The committed files
# were made by this script (sox -D: no dither, so the same bytes every time); nothing is downloaded. Needs
# espeak-ng, sox and node on PATH.
set -euo pipefail
out="${1:-test/fixtures/audio}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
rate=16000
sentences=("The quick brown fox jumps over the lazy dog." "Small models run in the browser.")
pieces=()
lengths=()
silence() { # $1 name, $2 seconds
  sox -D -n -r "$rate" -c 1 -b 16 -e signed-integer "$tmp/$1.wav" trim 0 "$2"
  pieces+=("$tmp/$1.wav")
  lengths+=("s:$(soxi -s "$tmp/$1.wav")")
}
speech() { # $1 name, $2 text
  espeak-ng -v en-us -s 175 -w "$tmp/$1-raw.wav" "$2"
  # silence effect: drop everything before the first and after the last sample above -40 dBFS (espeak pads both ends)
  sox -D "$tmp/$1-raw.wav" -r "$rate" -c 1 -b 16 -e signed-integer "$tmp/$1.wav" \
    silence 1 1 -40d reverse silence 1 1 -40d reverse
  pieces+=("$tmp/$1.wav")
  lengths+=("v:$(soxi -s "$tmp/$1.wav")")
}
silence lead 0.8
speech one "${sentences[0]}"
silence gap 1.2
speech two "${sentences[1]}"
silence tail 0.8
mkdir -p "$out"
sox -D "${pieces[@]}" -r "$rate" -c 1 -b 16 -e signed-integer "$out/speech-clip.wav"
# The same clip as FLAC at 22.05 kHz: audio that is not a WAV, which the Try panel has the browser decode (try.test.ts).
sox "$out/speech-clip.wav" -r 22050 "$out/speech-clip-22k.flac"
# The ground truth: each speech piece's [start, end) in ms, from the running sum of the pieces' sample counts.
node -e '
const [rate, ...parts] = process.argv.slice(1);
let at = 0; const segments = [];
for (const p of parts) { const [kind, n] = p.split(":"); if (kind === "v") segments.push({ startMs: (at / rate) * 1000, endMs: ((at + +n) / rate) * 1000 }); at += +n; }
const round = (x) => Math.round(x * 1000) / 1000;
const json = { sampleRate: +rate, samples: at, durationMs: round((at / rate) * 1000), made: "scripts/make-speech-clip.sh: espeak-ng en-us, trimmed at -40 dBFS by sox",
  segments: segments.map((s) => ({ startMs: round(s.startMs), endMs: round(s.endMs) })) };
process.stdout.write(JSON.stringify(json, null, 2) + "\n");
' "$rate" "${lengths[@]}" >"$out/speech-clip.json"
echo "wrote $out/speech-clip.wav ($(soxi -D "$out/speech-clip.wav") s) and $out/speech-clip.json"
