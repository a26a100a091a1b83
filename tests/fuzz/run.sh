#!/bin/sh
# Build every tests/fuzz/fuzz_*.c with libFuzzer + ASan + UBSan into
# build/fuzz/ and run each for a while (FUZZ_SECONDS, default 20) on a seed
# corpus made of the fixture lines.  Exits non-zero on the first crash.
set -eu

cd "$(dirname "$0")/../.."
CC=${FUZZ_CC:-clang}
SECONDS_EACH=${FUZZ_SECONDS:-20}
OUT=build/fuzz
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -Ibackends -Iconsole"

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "fuzz: $CC not found; install clang (and libclang-rt-dev)" >&2
	exit 1
fi
mkdir -p "$OUT"

# Seeds: one file per fixture line (comments and annotations dropped).
seeds="$OUT/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"
n=0
for f in tests/fixtures/*.log; do
	[ -f "$f" ] || continue
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		'#'*|'') continue ;;
		esac
		n=$((n + 1))
		printf '%s' "$line" >"$seeds/seed$n"
	done <"$f"
done
# and journal export entries (one with a binary MESSAGE), for fuzz_jexport
printf '\n__CURSOR=s=1;i=2;b=3;m=4;t=5;x=6\n__REALTIME_TIMESTAMP=1795000000000000\n_HOSTNAME=mx\nSYSLOG_IDENTIFIER=postfix/smtpd\n_PID=77\nMESSAGE=connect from unknown[192.0.2.1]\n\n' \
    >"$seeds/export1"
printf '\n__REALTIME_TIMESTAMP=1795000000000001\n_HOSTNAME=mx\nSYSLOG_IDENTIFIER=dovecot\nMESSAGE\n\005\000\000\000\000\000\000\000a\nb\033c\n\n' \
    >"$seeds/export2"
echo "fuzz: $n seed lines"

status=0
for src in tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	echo "fuzz: building $name"
	# shellcheck disable=SC2086
	extra=""
	case $name in
	fuzz_queue) extra="console/queue_parse.c console/queue_snap.c console/xmalloc.c" ;;
	fuzz_jexport) extra="console/jexport.c console/xmalloc.c" ;;
	fuzz_config_ini) extra="console/config_ini.c console/xmalloc.c" ;;
	fuzz_sanitize) extra="console/sanitize.c" ;;
	esac
	# shellcheck disable=SC2086
	$CC $CFLAGS -o "$OUT/$name" "$src" backends/*.c $extra
	corpus="$OUT/corpus-$name"
	mkdir -p "$corpus"
	echo "fuzz: running $name for ${SECONDS_EACH}s"
	if ! "$OUT/$name" -max_total_time="$SECONDS_EACH" -max_len=4096 \
	    -timeout=10 -artifact_prefix="$OUT/$name-" -print_final_stats=1 \
	    "$corpus" "$seeds" >"$OUT/$name.log" 2>&1; then
		echo "fuzz: $name FAILED; see $OUT/$name.log" >&2
		tail -40 "$OUT/$name.log" >&2
		status=1
	else
		grep -E 'stat::number_of_executed_units|Done' "$OUT/$name.log" \
		    | head -2
	fi
done
exit $status
