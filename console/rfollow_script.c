/*
 * rfollow_script.c: the program rfollow.h runs on a followed server, with
 * `/bin/sh -s PATH INODE OFFSET` (INODE empty: a first start, OFFSET then
 * "0" or "end").  POSIX sh plus GNU coreutils (stat -c, head -c, dd
 * iflag=skip_bytes, sleep with fractions): what a Debian or RHEL mail
 * server has.  It arrives on stdin, so the user's login shell only parses
 * the quoted words of the command line, whatever shell it is.
 *
 * The log is held open on descriptor 3 whose offset is always $pos: dd
 * seeks it once, and head -c reads exactly the n bytes announced.  One
 * stat per turn gives the open file's inode and size and the path's
 * inode.  Idle, it sleeps 0.2 s, then 0.5 s: about four processes a
 * second per followed file.  A renamed file is left only once it has been
 * quiet for three turns after the rename was seen, so a daemon that has
 * not reopened its log yet can still finish its lines.
 */
#include "rfollow.h"

const char rfollow_script[] =
"f=$1 want=$2 pos=$3\n"
"say() { printf '%s\\n' \"$*\"; }\n"
"look() {\n"
"	set -- $(stat -L -c '%i %s' /dev/fd/3 \"$f\" 2>/dev/null)\n"
"	ino=${1:-} size=${2:-0} pino=${3:-}\n"
"}\n"
"openlog() {\n"
"	n=0\n"
"	until { command exec 3<\"$f\"; } 2>/dev/null; do\n"
"		if [ -e \"$f\" ]; then say \"E cannot read $f\"; exit 3; fi\n"
"		[ $n -eq 0 ] && say M\n"
"		n=$((n + 1))\n"
"		[ $((n % 40)) -eq 0 ] && say H\n"
"		sleep 0.5\n"
"	done\n"
"}\n"
"openlog\n"
"look\n"
"if [ -z \"$want\" ]; then\n"
"	[ \"$pos\" = end ] && pos=$size\n"
"	[ \"$pos\" = end ] || pos=${pos:-0}\n"
"elif [ \"$ino\" != \"$want\" ]; then\n"
"	old=\n"
"	for o in \"$f.1\" \"$f.0\" \"$f\"-[0-9]*; do\n"
"		[ \"$(stat -c %i \"$o\" 2>/dev/null)\" = \"$want\" ] || continue\n"
"		{ command exec 3<\"$o\"; } 2>/dev/null && old=$o && break\n"
"	done\n"
"	if [ -n \"$old\" ]; then\n"
"		look\n"
"		pino=$(stat -c %i \"$f\" 2>/dev/null)\n"
"	else\n"
"		say \"G $f was rotated away while we were disconnected\"\n"
"		pos=0\n"
"	fi\n"
"fi\n"
"if [ \"$size\" -lt \"$pos\" ]; then\n"
"	say \"G $f is shorter than where we stopped: truncated\"\n"
"	pos=0\n"
"fi\n"
"[ \"$pos\" -gt 0 ] && dd iflag=skip_bytes skip=\"$pos\" count=0 <&3 2>/dev/null\n"
"say \"F $ino $pos\"\n"
"quiet=0 rot=0\n"
"while :; do\n"
"	look\n"
"	if [ \"$size\" -gt \"$pos\" ]; then\n"
"		n=$((size - pos))\n"
"		[ $n -gt 262144 ] && n=262144\n"
"		say \"D $n\"\n"
"		head -c $n <&3\n"
"		pos=$((pos + n)) quiet=0 rot=0\n"
"		continue\n"
"	fi\n"
"	if [ \"$size\" -lt \"$pos\" ]; then\n"
"		openlog\n"
"		look\n"
"		pos=0\n"
"		say \"T $ino\"\n"
"		continue\n"
"	fi\n"
"	if [ -n \"$pino\" ] && [ \"$pino\" != \"$ino\" ]; then\n"
"		rot=$((rot + 1))\n"
"		if [ $rot -ge 3 ]; then\n"
"			openlog\n"
"			look\n"
"			pos=0 rot=0\n"
"			say \"R $ino\"\n"
"			continue\n"
"		fi\n"
"	fi\n"
"	quiet=$((quiet + 1))\n"
"	[ $((quiet % 40)) -eq 0 ] && say H\n"
"	if [ $quiet -lt 4 ]; then sleep 0.2; else sleep 0.5; fi\n"
"done\n";
