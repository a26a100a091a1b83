#!/bin/sh
# tests/corpus/check.sh MAILCON: the detection corpus in `make check`.
#
# Generates the tuning part of the corpus (build/corpus/tune, reused while
# the generator is unchanged), scans every scenario with MAILCON and checks
# every expectation of its labels: an ordinary or negative account at most
# at watch; an incident account at suspicious or critical, flagged within
# N of its own messages; each scenario's share of ordinary accounts at
# watch at most 5%.  tests/corpus/KNOWN-FAILURES lists the expectations
# today's detector does not meet: a listed one must still fail and an
# unlisted one must pass, so a regression in either direction fails.
# Twice: with the documented defaults (no GeoIP database: networks are
# prefixes), then with [detect] geoip set to a MaxMind-format database of
# the corpus's networks (networks.tsv, written by
# tests/fixtures/geo/mkmmdb.pl with Debian's libmaxmind-db-writer-perl).
# Only the tuning part runs here: the reporting part is for `make bench`.
set -u
MAILCON=${1:?usage: sh tests/corpus/check.sh MAILCON}
OUT=${CORPUS_OUT:-build/corpus}

[ -x "$MAILCON" ] || { echo "corpus: $MAILCON: not an executable" >&2; exit 1; }
sh tests/corpus/corpus.sh tune "$OUT" || exit 1
python3 tests/corpus/eval.py "$MAILCON" "$OUT/tune" \
    --check tests/corpus/KNOWN-FAILURES || exit 1
if [ ! -f "$OUT/networks.mmdb" ] || [ "$OUT/networks.tsv" -nt "$OUT/networks.mmdb" ] ||
    [ tests/fixtures/geo/mkmmdb.pl -nt "$OUT/networks.mmdb" ]; then
	perl tests/fixtures/geo/mkmmdb.pl "$OUT/networks.tsv" \
	    "$OUT/networks.mmdb" || {
		echo "corpus: cannot write $OUT/networks.mmdb (Debian package" \
		    "libmaxmind-db-writer-perl: tests/deps.sh)" >&2
		exit 1
	}
fi
echo "corpus: again with [detect] geoip = $OUT/networks.mmdb"
exec python3 tests/corpus/eval.py "$MAILCON" "$OUT/tune" \
    --check tests/corpus/KNOWN-FAILURES --geoip "$OUT/networks.mmdb"
