#!/bin/sh
# Install the Debian 12 packages mailcon's build and tests need, when missing.
# Idempotent: does nothing when everything is there.
set -eu

need="gcc make pkg-config zlib1g-dev libcmocka-dev libncurses-dev
libsqlite3-dev libc-ares-dev libnotify-dev clang
libclang-rt-14-dev postfix dovecot-core python3 time util-linux tmux bash
dnsmasq-base dbus-daemon dbus-bin libssh2-1-dev libssl-dev openssh-server
openssh-client python3-gi sudo systemd-journal-remote
dpkg-dev binutils lintian systemd zsh pflogsumm libmaxminddb-dev
libmaxmind-db-writer-perl iproute2"
# The libraries of Debian's exim4-daemon-heavy, which tests/integration/
# exim.sh unpacks instead of installing (installing it removes Postfix).
need="$need libmariadb3 libidn12 libspf2-2 libgnutls-dane0 libpq5
libperl5.36 libldap-2.5-0 libnsl2 libdb5.3 libsasl2-2 libpcre2-8-0"
# `make bench` only: the policy services tests/bench/policy.sh compares.
if [ "${MAILCON_BENCH_DEPS:-0}" = 1 ]; then
	need="$need postfwd policyd-rate-limit"
fi

missing=""
for p in $need; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "tests/deps.sh: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "tests/deps.sh: need root (or sudo) to apt-get install:$missing" >&2
	exit 1
fi
# Postfix asks a question on install; "No configuration" writes no main.cf,
# which the tests do not need: they run their own instance.
echo "postfix postfix/main_mailer_type select No configuration" |
    debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
