#!/bin/sh
# Install the Debian 12 packages needed to build amt and run its tests
# (chromium: the status pages; prometheus: promtool; debhelper, lintian:
# the packages; podman and debootstrap: the container images; bird2 and
# frr: the relay pool scenarios).
set -e
PKGS="build-essential autoconf automake libtool pkg-config
libevent-dev libsodium-dev libjansson-dev libc-ares-dev libcmocka-dev
clang iproute2 nftables tshark tcpdump smcroute iperf socat dnsmasq-base
ethtool valgrind procps psmisc kmod git mandoc systemd curl python3
binutils chromium prometheus debhelper lintian dpkg-dev bird2 frr
podman runc netavark aardvark-dns iptables debootstrap"
missing=
for p in $PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi
