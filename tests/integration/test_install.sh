#!/bin/bash
# test_install.sh: mailcon installs and runs like a Debian tool.
#
#  1. `make`, then `make install DESTDIR=STAGE PREFIX=/usr`: the installed
#     binary was rebuilt for its prefix (--version: data /usr/share/mailcon,
#     system file /etc/mailcon/mailcon.conf, never /usr/local), the tree
#     holds the unit, the config, the completions, the man page and the
#     docs; run from STAGE with the packager's overrides (MAILCON_DATADIR,
#     MAILCON_SYSCONFDIR) it replays the demo in tmux with the light theme
#     (the header in its colours), and reads STAGE's system file.
#  2. `make install PREFIX=P` after that (no DESTDIR): P/bin/mailcon
#     finds its demo and themes in P with no variable set.
#  3. The unit: systemd-analyze verify passes with nothing to say (no
#     running systemd needed), with its sandbox in place.
#  4. `make deb`: dpkg -c lists binary, unit, config (a conffile),
#     completions, man page and docs; Depends names the package of every
#     library the binary needs (readelf NEEDED, dpkg -S); lintian
#     (pedantic, info and experimental tags) has nothing to say but the
#     override it explains; the packaged binary is built for /usr.
#
# Builds in its own directory (twice: `make`'s flags and Debian's), never
# in build/: other tests run build/mailcon meanwhile.  Needs tmux,
# systemd (systemd-analyze), dpkg-dev and lintian (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
export LC_ALL=C.UTF-8

T=$(mktemp -d /tmp/mcinstall.XXXXXX) || exit 1
SOCK="mcinstall-$$"
B=$T/build
STAGE=$T/stage
failed=0

. "$HERE/tmuxlib.sh"
cleanup()
{
	tmux_stop
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in tmux systemd-analyze dpkg-deb dpkg-shlibdeps lintian readelf; do
	command -v "$tool" >/dev/null 2>&1 ||
	    die "$tool is missing (sh tests/deps.sh installs it)"
done
mkdir -p "$T/home"
# Only what the test gives: no user file, no theme of the user's.
clean_env()
{
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$T/home" \
	    LC_ALL=C.UTF-8 "$@"
}

# make, quietly; its output when it fails.
mk()
{
	make -C "$ROOT" -j2 BUILD="$B" "$@" >"$T/make.out" 2>&1 ||
	    die "make $*: $(tail -20 "$T/make.out")"
}

# ===== 1. make; make install DESTDIR=STAGE PREFIX=/usr ======================
mk
mk install DESTDIR="$STAGE" PREFIX=/usr
grep -q "/paths\.o" "$T/make.out" ||
    fail "make install PREFIX=/usr did not rebuild what embeds the paths"
for f in usr/bin/mailcon usr/share/man/man1/mailcon.1 \
    usr/share/mailcon/themes/default.theme usr/share/mailcon/themes/light.theme \
    usr/share/mailcon/demo/postfix.log.gz etc/mailcon/mailcon.conf \
    usr/lib/systemd/system/mailcon-watch.service \
    usr/share/bash-completion/completions/mailcon \
    usr/share/zsh/vendor-completions/_mailcon \
    usr/share/doc/mailcon/README.md usr/share/doc/mailcon/copyright \
    usr/share/doc/mailcon/changelog.gz; do
	[ -f "$STAGE/$f" ] || fail "make install did not install /$f"
done
BIN=$STAGE/usr/bin/mailcon
clean_env "$BIN" --version >"$T/version" 2>&1 || fail "--version: $(cat "$T/version")"
grep -qx "data: /usr/share/mailcon; themes: /usr/share/mailcon/themes" \
    "$T/version" || fail "installed for /usr, it looks elsewhere: $(cat "$T/version")"
grep -q "else /etc/mailcon/mailcon.conf;" "$T/version" ||
    fail "installed for /usr, its system file is not /etc/mailcon/mailcon.conf: $(cat "$T/version")"
if grep -q /usr/local "$T/version"; then
	fail "installed for /usr, it still names /usr/local: $(cat "$T/version")"
fi
grep -q "^ExecStart=/usr/bin/mailcon watch --headless --config /etc/mailcon/mailcon.conf$" \
    "$STAGE/usr/lib/systemd/system/mailcon-watch.service" ||
    fail "the unit does not run /usr/bin/mailcon on /etc's config: $(grep ExecStart "$STAGE/usr/lib/systemd/system/mailcon-watch.service")"

# Without the overrides it looks for the demo where it will be installed
# (only when this machine has no /usr/share/mailcon of its own).
if [ ! -e /usr/share/mailcon ]; then
	clean_env "$BIN" --demo </dev/null >"$T/nodemo" 2>&1
	grep -q "demo logs /usr/share/mailcon/demo: No such file" "$T/nodemo" ||
	    fail "staged binary without MAILCON_DATADIR: $(cat "$T/nodemo")"
fi

# The packager's overrides: run from the staged tree.
STAGED="MAILCON_DATADIR=$STAGE/usr/share/mailcon MAILCON_SYSCONFDIR=$STAGE/etc"
clean_env $STAGED "$BIN" --version >"$T/version2" 2>&1
grep -q "in use: $STAGE/etc/mailcon/mailcon.conf" "$T/version2" ||
    fail "MAILCON_SYSCONFDIR: the staged system file is not in use: $(cat "$T/version2")"
console_run staged 80 24 HOME="$T/home" $STAGED "$BIN" --demo --speed 20 \
    --theme light
if wait_screen "judy@example.test" 60 staged; then
	# light.theme's header is white on blue (the built-in default is
	# black on cyan): the theme came from the staged tree
	tmux -L "$SOCK" capture-pane -p -e -t staged | head -1 >"$T/header"
	grep -q $'\033\\[[0-9;]*44[;m]' "$T/header" ||
	    fail "staged demo: the header is not light.theme's: $(cat -v "$T/header")"
else
	fail "staged --demo --theme light did not show the hijack: $(screen staged) $(cat "$T/staged.err")"
fi
tmux -L "$SOCK" kill-session -t staged 2>/dev/null

# ===== 2. make install PREFIX=P: found there without any variable ==========
P=$T/prefix
mk install PREFIX="$P"
clean_env "$P/bin/mailcon" --version >"$T/version3" 2>&1
grep -qx "data: $P/share/mailcon; themes: $P/share/mailcon/themes" \
    "$T/version3" || fail "installed for $P, it looks elsewhere: $(cat "$T/version3")"
grep -q "else $P/etc/mailcon/mailcon.conf; in use: $P/etc/mailcon/mailcon.conf" \
    "$T/version3" || fail "installed for $P, its system file is not in use: $(cat "$T/version3")"
console_run prefix 80 24 HOME="$T/home" "$P/bin/mailcon" --demo --speed 20 \
    --theme light
wait_screen "judy@example.test" 60 prefix ||
    fail "$P/bin/mailcon --demo --theme light did not show the hijack: $(screen prefix) $(cat "$T/prefix.err")"
tmux -L "$SOCK" kill-session -t prefix 2>/dev/null

# ===== 3. the unit ==========================================================
UNIT=$STAGE/usr/lib/systemd/system/mailcon-watch.service
for want in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
    PrivateTmp=yes StateDirectory=mailcon ReadWritePaths= \
    CapabilityBoundingSet= UMask=0077; do
	grep -q "^$want" "$UNIT" || fail "the unit lacks $want"
done
# verify checks ExecStart's binary and the man page of Documentation=:
# the staged ones (a copy of the unit naming the staged binary).
mkdir -p "$T/unit"
sed "s|^ExecStart=/usr/bin/mailcon |ExecStart=$BIN |" "$UNIT" \
    >"$T/unit/mailcon-watch.service"
MANPATH=$STAGE/usr/share/man systemd-analyze verify \
    "$T/unit/mailcon-watch.service" >"$T/verify" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "systemd-analyze verify: exit $rc: $(cat "$T/verify")"
# what it says of the machine's own units (it loads them all) is not ours
grep -Ev '^(/usr)?/lib/systemd/system/|^/etc/systemd/system/' "$T/verify" \
    >"$T/verify.ours"
[ -s "$T/verify.ours" ] && fail "systemd-analyze verify has something to say: $(cat "$T/verify.ours")"

# ===== 4. make deb ==========================================================
mk deb
DEB=$(ls "$B"/mailcon_*.deb 2>/dev/null | head -1)
[ -f "$DEB" ] || die "make deb made no .deb: $(tail -5 "$T/make.out")"
dpkg -c "$DEB" | awk '{ print $NF }' >"$T/contents"
for f in ./usr/bin/mailcon ./usr/lib/systemd/system/mailcon-watch.service \
    ./etc/mailcon/mailcon.conf ./usr/share/bash-completion/completions/mailcon \
    ./usr/share/zsh/vendor-completions/_mailcon \
    ./usr/share/man/man1/mailcon.1.gz ./usr/share/doc/mailcon/copyright \
    ./usr/share/doc/mailcon/changelog.gz ./usr/share/mailcon/themes/light.theme \
    ./usr/share/mailcon/demo/postfix.log.gz; do
	grep -qxF "$f" "$T/contents" || fail "dpkg -c does not list $f"
done
dpkg-deb -I "$DEB" conffiles | grep -qx /etc/mailcon/mailcon.conf ||
    fail "/etc/mailcon/mailcon.conf is not a conffile"
dpkg-deb -x "$DEB" "$T/x"
clean_env "$T/x/usr/bin/mailcon" --version | grep -qx \
    "data: /usr/share/mailcon; themes: /usr/share/mailcon/themes" ||
    fail "the packaged binary is not built for /usr"
# Depends: the package of every library the binary names (NEEDED).
deps=$(dpkg-deb -f "$DEB" Depends)
for lib in $(readelf -d "$T/x/usr/bin/mailcon" |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
	pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null)
	pkg=${pkg%%:*}
	[ -n "$pkg" ] || { fail "no package has $lib ($path)"; continue; }
	case ", $deps" in
	*", $pkg "*|*", $pkg,"*|*", $pkg") ;;
	*) fail "Depends lacks $pkg (for $lib): $deps" ;;
	esac
done
start=$(date +%s)
lintian -I -E --pedantic "$DEB" >"$T/lintian" 2>&1
echo "lintian took $(($(date +%s) - start)) s"
grep -v "^running with root privileges" "$T/lintian" >"$T/lintian.tags"
[ -s "$T/lintian.tags" ] && fail "lintian: $(cat "$T/lintian.tags")"

exit "$failed"
