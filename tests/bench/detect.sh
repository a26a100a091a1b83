#!/bin/sh
# tests/bench/detect.sh MAILCON: the detection benchmark (`make bench`).
#
# On the reporting part of the labelled corpus (tests/corpus, generated
# into build/corpus/report and checked against tests/corpus/MANIFEST), runs
# `mailcon scan --json` over every scenario with its server's background and
# prints, per scenario, mailcon's figures beside the published rules of
# saslpolicyd, policyd-rate-limit and Declude Hijack run on the same lines
# (tests/corpus/refrules.py): incidents caught and the incident's messages
# that left before the flag, false flags on the negatives, and mailcon's
# share of ordinary accounts at watch; then the scans' speed and peak memory
# on the corpus.  Targets (issue 15) are printed, never asserted: the
# script fails only when a tool fails.  Thresholds are never tuned on this
# part (tests/corpus/README.md).  The whole report stays in
# build/bench/detect.out, the per-account figures in build/bench/detect.json.
set -u
MAILCON=${1:?usage: sh tests/bench/detect.sh MAILCON}
OUT=${CORPUS_OUT:-build/corpus}
mkdir -p build/bench || exit 1
sh tests/corpus/corpus.sh report "$OUT" || exit 1
PIN=
command -v taskset > /dev/null 2>&1 && PIN="taskset -c 0"
echo "detection benchmark: reporting part of the corpus ($OUT/report)," \
    "documented defaults (empty config), scans on one core"
$PIN python3 tests/corpus/eval.py "$MAILCON" "$OUT/report" --report \
    --json build/bench/detect.json > build/bench/detect.out
rc=$?
cat build/bench/detect.out
[ $rc -eq 0 ] || echo "bench: detect: eval.py exited $rc" \
    "(unparsed lines or unlabelled accounts above)"
exit $rc
