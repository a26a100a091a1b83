#!/bin/sh
# tests/corpus/corpus.sh PART [OUT]: generate one part of the detection
# corpus into OUT/PART (default build/corpus) unless the copy there was made
# by the same generator, and check it against tests/corpus/MANIFEST (the
# sha256 of every generated file: the corpus is the same bytes on every
# machine).  Used by check.sh (make check) and tests/bench/detect.sh.
set -u
PART=${1:?usage: corpus.sh tune|report [OUT]}
OUT=${2:-build/corpus}
DIR=tests/corpus

die() {
	echo "corpus: $*" >&2
	exit 1
}

command -v python3 > /dev/null 2>&1 || die "python3 not found (Debian package python3)"
stamp=$(cat "$DIR/gen.py" "$DIR/loglines.py" "$DIR/people.py" \
    "$DIR/scenarios.py" | cksum)
if [ -f "$OUT/$PART/.stamp" ] && [ "$(cat "$OUT/$PART/.stamp")" = "$stamp" ]; then
	exit 0
fi
echo "corpus: generating $OUT/$PART (about a minute)"
rm -rf "$OUT/$PART"
mkdir -p "$OUT" || die "cannot create $OUT"
python3 "$DIR/gen.py" --part "$PART" --out "$OUT" 2> "$OUT/gen-$PART.log" ||
    die "tests/corpus/gen.py failed: $(tail -n 5 "$OUT/gen-$PART.log")"
grep "  $PART/" "$DIR/MANIFEST" > "$OUT/MANIFEST.$PART" ||
    die "no $PART files in $DIR/MANIFEST"
if ! (cd "$OUT" && sha256sum --quiet -c "MANIFEST.$PART"); then
	die "$OUT/$PART differs from tests/corpus/MANIFEST: the generator no" \
	    "longer makes the same corpus (after a deliberate change, run" \
	    "sh tests/corpus/manifest.sh and review KNOWN-FAILURES)"
fi
echo "$stamp" > "$OUT/$PART/.stamp"
