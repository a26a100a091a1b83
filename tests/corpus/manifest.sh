#!/bin/sh
# tests/corpus/manifest.sh [OUT]: regenerate both parts of the corpus and
# write tests/corpus/MANIFEST (sha256 of every generated file).  Run it only
# after a deliberate change to the generator, and in the same commit review
# tests/corpus/KNOWN-FAILURES (eval.py --write-known shows today's list).
set -eu
OUT=${1:-build/corpus}
rm -rf "$OUT/tune" "$OUT/report"
python3 tests/corpus/gen.py --part all --out "$OUT"
(cd "$OUT" && find tune report -type f ! -name .stamp | LC_ALL=C sort |
    xargs sha256sum) > tests/corpus/MANIFEST
echo "tests/corpus/MANIFEST: $(wc -l < tests/corpus/MANIFEST) files"
