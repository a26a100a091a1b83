/*
 * wiring_sh.h: the /bin/sh functions every wiring read (backend.h, struct
 * backend_wiring) starts with; their variables start with _w, so that a
 * read's own are left alone.  A read changes nothing: it prints
 * sections ("@mailcon NAME", the output, "@mailcon status N") that the
 * backend's judge reads, and exits 0.
 *
 *	run NAME CMD...	CMD's output (stderr too) as section NAME
 *	tool NAME	"@mailcon tool NAME PATH" or "@mailcon notool NAME"
 *	wfile PATH	"@mailcon file STATE PATH": missing, readonly (no
 *			write bit, or not writable by this login) or
 *			writable; nothing for an empty PATH
 */
#ifndef MAILCON_WIRING_SH_H
#define MAILCON_WIRING_SH_H

#define WIRE_SH \
	"sec() { printf '@mailcon %s\\n' \"$*\"; }\n" \
	"run() {\n" \
	"  _wn=$1; shift; sec \"$_wn\"; _ws=0\n" \
	"  \"$@\" 2>&1 </dev/null || _ws=$?\n" \
	"  sec \"status $_ws\"\n" \
	"}\n" \
	"tool() {\n" \
	"  if _wp=$(command -v \"$1\" 2>/dev/null); then\n" \
	"    sec \"tool $1 $_wp\"\n" \
	"  else sec \"notool $1\"; fi\n" \
	"}\n" \
	"wfile() {\n" \
	"  [ -n \"$1\" ] || return 0\n" \
	"  if [ ! -f \"$1\" ]; then sec \"file missing $1\"\n" \
	"  elif [ -w \"$1\" ] && [ -n \"$(find \"$1\" -prune -perm /222)\" ];" \
	" then sec \"file writable $1\"\n" \
	"  else sec \"file readonly $1\"; fi\n" \
	"}\n"

#endif
