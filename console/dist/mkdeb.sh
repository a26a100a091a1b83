#!/bin/sh
# console/dist/mkdeb.sh WORK VERSION OUTDIR: turn the staged install
# WORK/root (`make install PREFIX=/usr DESTDIR=WORK/root`, as `make deb`
# does) into OUTDIR/mailcon_VERSION_ARCH.deb with Debian's own tools:
# what dh_strip and dh_compress would do, dpkg-shlibdeps for Depends,
# dpkg-gencontrol for the control file, dpkg-deb to build.  Prints the
# path of the package.
set -eu

if [ $# -ne 3 ] || [ ! -x "$1/root/usr/bin/mailcon" ]; then
	echo "usage: $0 WORK VERSION OUTDIR, with WORK/root a staged" \
	    "install (run make deb)" >&2
	exit 2
fi
work=$(cd "$1" && pwd)
version=$2
out=$(cd "$3" && pwd)
dist=$(cd "$(dirname "$0")" && pwd)
root=$work/root

for tool in dpkg-shlibdeps dpkg-gencontrol dpkg-deb strip; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "mkdeb: $tool not found: apt-get install dpkg-dev" \
		    "binutils" >&2
		exit 2
	}
done
# The package's version is the changelog's: they must agree.
clver=$(dpkg-parsechangelog -l "$dist/debian/changelog" -S Version)
if [ "$clver" != "$version" ]; then
	echo "mkdeb: $dist/debian/changelog is at $clver, the Makefile at" \
	    "$version: add a changelog entry (dch -v $version)" >&2
	exit 2
fi

# As dh_strip (the debug symbols are not shipped) and dh_compress.
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
    "$root/usr/bin/mailcon"
gzip -9nf "$root/usr/share/man/man1/mailcon.1"
gzip -9nf "$root/usr/share/doc/mailcon/README.md"
# the demo logs without gzip's timestamp, for a reproducible package
for f in "$root"/usr/share/mailcon/demo/*.gz; do
	gzip -dc "$f" | gzip -9n >"$f.new"
	mv "$f.new" "$f"
done
install -D -m 644 "$dist/debian/lintian-overrides" \
    "$root/usr/share/lintian/overrides/mailcon"
find "$root" -type d -exec chmod 755 {} +
find "$root" -type f -exec chmod go-w {} +

# dpkg-shlibdeps and dpkg-gencontrol read debian/ under the current
# directory: a copy of ours, beside the staged tree.
rm -rf "$work/debian" "$root/DEBIAN"
mkdir -p "$work/debian" "$root/DEBIAN"
cp "$dist/debian/control" "$dist/debian/changelog" "$work/debian/"
cd "$work"
dpkg-shlibdeps -Tdebian/substvars root/usr/bin/mailcon
dpkg-gencontrol -pmailcon -Proot -Tdebian/substvars -fdebian/files
find root/etc -type f | sed 's|^root||' >root/DEBIAN/conffiles
# md5sums of everything but the conffiles, as dh_md5sums
(cd root && find . -path ./DEBIAN -prune -o -path ./etc -prune -o \
    -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
    >root/DEBIAN/md5sums
for s in postinst prerm postrm; do
	install -m 755 "$dist/debian/$s" root/DEBIAN/$s
done
chmod 644 root/DEBIAN/control root/DEBIAN/conffiles root/DEBIAN/md5sums

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$out/mailcon_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build root "$deb" >/dev/null
echo "$deb"
