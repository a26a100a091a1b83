#!/bin/sh
# Build every tests/fuzz/fuzz_*.c with libFuzzer + ASan + UBSan into
# build/fuzz/ and run each for a while (FUZZ_SECONDS, default 20) on seeds
# of its own input type (seeds_for below):
#
#	fuzz_logline	one file per fixture log line (fuzz_exim too)
#	fuzz_queue	each line of tests/fixtures/queue/queue-head.jsonl
#			(real `postqueue -j` output), and the first two
#	fuzz_exim_queue	Exim's listings (tests/fixtures/exim-queue), cPanel's
#			answers (tests/fixtures/cpanel), -Mrm's lines
#	fuzz_jexport	journal export entries (one with a binary MESSAGE)
#	fuzz_rbl_answer	DNS responses: A records with TXT, NXDOMAIN with
#			an SOA, compressed names, a compression pointer loop
#	fuzz_policy	policy service requests as smtpd sends them, one of
#			a suspended login, one pipelined pair
#	fuzz_wiring	the wiring reads' sections around the real
#			postconf -nx/-Px and doveconf -n of tests/fixtures/wiring
#
# Before a target fuzzes, every crash it had is replayed: the inputs kept
# in tests/fuzz/crashes/TARGET/ (fixed crashes, kept as regressions) and
# the artifacts earlier runs left in build/fuzz/ (TARGET-crash-*,
# -leak-*, -timeout-*, -oom-*).  One that still fails fails the run and is
# named; an artifact that no longer fails is said, to be moved into
# tests/fuzz/crashes/TARGET/.  Exits non-zero on any crash, old or new.
#
# The sources the targets share are compiled once (build/fuzz/obj/), and
# the fuzzers run FUZZ_JOBS at a time (default: the processors; each is
# one process), so that the phase takes SECONDS_EACH per FUZZ_JOBS targets.
set -eu

cd "$(dirname "$0")/../.."
CC=${FUZZ_CC:-clang}
SECONDS_EACH=${FUZZ_SECONDS:-20}
OUT=build/fuzz
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -I. -Iconsole"

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "fuzz: $CC not found; install clang (and libclang-rt-dev)" >&2
	exit 1
fi
mkdir -p "$OUT"

# seeds_for TARGET DIR: write TARGET's seed inputs into DIR (emptied).
seeds_for()
{
	rm -rf "$2"
	mkdir -p "$2"
	case $1 in
	fuzz_logline|fuzz_exim)
		n=0
		for f in tests/fixtures/*.log; do
			[ -f "$f" ] || continue
			while IFS= read -r line || [ -n "$line" ]; do
				case $line in
				'#'*|'') continue ;;
				esac
				n=$((n + 1))
				printf '%s' "$line" >"$2/line$n"
			done <"$f"
		done
		;;
	fuzz_queue)
		split -l 1 -d -a 3 tests/fixtures/queue/queue-head.jsonl \
		    "$2/line"
		head -n 2 tests/fixtures/queue/queue-head.jsonl >"$2/two"
		;;
	fuzz_exim_queue)
		cp tests/fixtures/exim-queue/*.txt "$2/"
		for f in tests/fixtures/cpanel/*.txt; do
			sed '/^# /d' "$f" >"$2/$(basename "$f")"
		done
		printf 'Message 1xaE1u-000165-2f is locked' >"$2/locked"
		printf 'Spool read error for 1xaE1u-000162-2Y-H: No such file' \
		    >"$2/spoolerr"
		;;
	fuzz_wiring)
		# byte 0: even Postfix, odd Dovecot; then a read's sections
		for f in tests/fixtures/wiring/postconf-n-*.txt; do
			{ printf '\000@mailcon postconf -nx\n'; cat "$f"
			  printf '@mailcon status 0\n@mailcon postconf -Px\n'
			  cat tests/fixtures/wiring/postconf-P-debian.txt
			  printf '@mailcon status 0\n@mailcon notool postmap\n'
			} >"$2/$(basename "$f" .txt)"
		done
		for f in tests/fixtures/wiring/doveconf-n-*.txt; do
			{ printf '\001@mailcon doveconf -n\n'; cat "$f"
			  printf '@mailcon status 0\n@mailcon file missing /x\n'
			} >"$2/$(basename "$f" .txt)"
		done
		;;
	fuzz_jexport)
		printf '\n__CURSOR=s=1;i=2;b=3;m=4;t=5;x=6\n__REALTIME_TIMESTAMP=1795000000000000\n_HOSTNAME=mx\nSYSLOG_IDENTIFIER=postfix/smtpd\n_PID=77\nMESSAGE=connect from unknown[192.0.2.1]\n\n' \
		    >"$2/export1"
		printf '\n__REALTIME_TIMESTAMP=1795000000000001\n_HOSTNAME=mx\nSYSLOG_IDENTIFIER=dovecot\nMESSAGE\n\005\000\000\000\000\000\000\000a\nb\033c\n\n' \
		    >"$2/export2"
		;;
	fuzz_policy)
		printf '\001request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.1\nrecipient=x@gmail.test\nrecipient_count=0\nsasl_username=alice@example.test\n\n' \
		    >"$2/alice"
		printf '\007request=smtpd_access_policy\nsasl_username=bob@example.test\n\nrequest=smtpd_access_policy\nsasl_username=\nclient_address=::1\n\n' \
		    >"$2/pair"
		;;
	fuzz_rbl_answer)
		python3 - "$2" <<'EOF'
import struct, sys
d = sys.argv[1]
def name(n):
    return b"".join(bytes([len(l)]) + l for l in n.encode().split(b".")) + b"\0"
def rr(nm, t, data, ttl=300):
    return nm + struct.pack(">HHIH", t, 1, ttl, len(data)) + data
def msg(rcode, qname, an=(), ns=()):
    h = struct.pack(">HHHHHH", 0x1234, 0x8180 | rcode, 1, len(an), len(ns), 0)
    q = name(qname) + struct.pack(">HH", 1, 1)
    return h + q + b"".join(an) + b"".join(ns)
ptr = b"\xc0\x0c"          # the question's name
q = "10.2.0.192.zen.spamhaus.org"
soa = (name("zen.spamhaus.org") + name("ns.zen.spamhaus.org") +
       name("hostmaster.zen.spamhaus.org") + struct.pack(">IIIII", 1, 2, 3, 4, 60))
seeds = {
    "listed": msg(0, q, [rr(ptr, 1, bytes([127, 0, 0, 2])),
                         rr(ptr, 1, bytes([127, 0, 0, 4])),
                         rr(ptr, 16, b"\x2ahttps://check.spamhaus.org/sbl/query/SBL999")]),
    "nxdomain": msg(3, q, ns=[rr(name("zen.spamhaus.org"), 6, soa, 900)]),
    "error": msg(0, q, [rr(ptr, 1, bytes([127, 255, 255, 254]))]),
    "servfail": msg(2, q),
    # an answer whose name points at itself (offset of its own name)
    "loop": msg(0, q, [b"\xc0" + bytes([12 + len(name(q)) + 4]) +
                       struct.pack(">HHIH", 1, 1, 60, 4) + bytes([127, 0, 0, 2])]),
}
for k, v in seeds.items():
    open("%s/%s" % (d, k), "wb").write(v)
EOF
		;;
	esac
}

# replay TARGET: run TARGET on every input it crashed on before; 1 when
# one still fails.
replay()
{
	rc=0
	for f in tests/fuzz/crashes/"$1"/* "$OUT/$1"-crash-* "$OUT/$1"-leak-* \
	    "$OUT/$1"-timeout-* "$OUT/$1"-oom-*; do
		[ -f "$f" ] || continue
		if "$OUT/$1" -timeout=10 "$f" >"$OUT/$1.replay.log" 2>&1; then
			case $f in
			"$OUT"/*) echo "fuzz: $1: $f no longer fails; keep it as a regression in tests/fuzz/crashes/$1/" ;;
			esac
		else
			echo "fuzz: $1 still fails on $f (see $OUT/$1.replay.log):" >&2
			tail -20 "$OUT/$1.replay.log" >&2
			rc=1
		fi
	done
	return $rc
}

# extra TARGET: the console/ sources TARGET needs beside backends/.
extra()
{
	case $1 in
	fuzz_queue) echo console/act/queue_snap.c console/core/xmalloc.c ;;
	fuzz_jexport) echo console/intake/jexport.c console/core/xmalloc.c ;;
	fuzz_config_ini) echo console/config/config_ini.c console/core/xmalloc.c ;;
	fuzz_sanitize) echo console/core/sanitize.c ;;
	fuzz_policy) echo console/policy/policy_proto.c console/policy/policy_deny.c console/policy/policy_srv.c console/policy/policy_listen.c console/core/loop.c console/core/xmalloc.c ;;
	fuzz_rbl_answer) echo console/rbl/rbl_answer.c console/rbl/rbl_zone.c console/core/sanitize.c console/core/json.c console/core/xmalloc.c ;;
	esac
}

# obj SRC: the object SRC is compiled into (once for every target).
obj()
{
	echo "$OUT/obj/${1%.c}.o"
}

# fuzz_one TARGET: run TARGET for SECONDS_EACH on its corpus and seeds;
# its verdict into $OUT/TARGET.verdict (ok or failed), its lines into
# $OUT/TARGET.say.
fuzz_one()
{
	if "$OUT/$1" -max_total_time="$SECONDS_EACH" -max_len=4096 \
	    -timeout=10 -artifact_prefix="$OUT/$1-" -print_final_stats=1 \
	    "$OUT/corpus-$1" "$OUT/seeds-$1" >"$OUT/$1.log" 2>&1; then
		grep -E 'stat::number_of_executed_units|Done' "$OUT/$1.log" \
		    | head -2 >"$OUT/$1.say"
		echo ok >"$OUT/$1.verdict"
	else
		{ echo "fuzz: $1 FAILED; see $OUT/$1.log; replay with:" \
		    "$OUT/$1 $OUT/$1-crash-*"
		  tail -40 "$OUT/$1.log"; } >"$OUT/$1.say"
		echo failed >"$OUT/$1.verdict"
	fi
}

# The sources every target shares (backends/) and the console/ ones some
# need, compiled once each, FUZZ_JOBS (default: the processors) at a
# time, rather than once per target.
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
shared=$(for src in tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] && extra "$(basename "$src" .c)"
done | tr ' ' '\n' | sort -u)
shared="$(find backends -name '*.c' | sort) $shared"
echo "fuzz: building $(echo $shared | wc -w) shared sources"
for src in $shared; do
	mkdir -p "$(dirname "$(obj "$src")")"
	echo "$src $(obj "$src")"
done | xargs -P "$jobs" -n 2 sh -c '$0 '"$CFLAGS"' -c -o "$2" "$1"' "$CC" ||
    { echo "fuzz: the shared sources did not build" >&2; exit 1; }
backend_objs=$(for src in $(find backends -name '*.c' | sort); do obj "$src"; done)

status=0
ready=
for src in tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	echo "fuzz: building $name"
	objs=$backend_objs
	for e in $(extra "$name"); do
		objs="$objs $(obj "$e")"
	done
	# shellcheck disable=SC2086
	$CC $CFLAGS -o "$OUT/$name" "$src" $objs || { status=1; continue; }
	replay "$name" || { status=1; continue; }
	seeds=$OUT/seeds-$name
	seeds_for "$name" "$seeds"
	echo "fuzz: $name: $(ls "$seeds" | wc -l) seeds"
	mkdir -p "$OUT/corpus-$name"
	ready="$ready $name"
done

# Each fuzzer for SECONDS_EACH, FUZZ_JOBS of them side by side (each is
# one process on one processor); their lines in order afterwards.
set -- $ready
while [ $# -gt 0 ]; do
	batch=
	while [ $# -gt 0 ] && [ "$(echo $batch | wc -w)" -lt "$jobs" ]; do
		batch="$batch $1"
		shift
	done
	for name in $batch; do
		echo "fuzz: running $name for ${SECONDS_EACH}s"
		rm -f "$OUT/$name.verdict"
		fuzz_one "$name" &
	done
	wait
	for name in $batch; do
		if [ "$(cat "$OUT/$name.verdict" 2>/dev/null)" = ok ]; then
			cat "$OUT/$name.say"
		else
			cat "$OUT/$name.say" >&2
			status=1
		fi
	done
done
exit $status
