#!/bin/sh
# The README's demo: install the build dependencies, build, then show a
# multicast stream crossing a unicast-only network through amtrelayd and
# amtgwd, in network namespaces this script creates and removes again.
#
#   [source] --multicast-- [relay: amtrelayd] --unicast only-- [gateway host]
#   10.1.0.1 sends            joins upstream,        amtgwd: tun amt0, an
#   232.1.1.1                 tunnels in UDP 2268    ordinary receiver on it
#
# Needs root (network namespaces, tun) on Debian 12.  Prints the received
# rate and the loss every second for about ten seconds.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root (it creates network namespaces)" >&2
	exit 1
fi
sh scripts/deps.sh || { echo "demo.sh: installing packages failed" >&2; exit 1; }

build=${BUILD_DIR:-build-demo}
echo "== building in $build"
if [ ! -f "$build/Makefile" ]; then
	./autogen.sh >/dev/null 2>&1 || { echo "demo.sh: autogen failed" >&2; exit 1; }
	mkdir -p "$build"
	(cd "$build" && "$top/configure" >configure.out 2>&1) ||
		{ tail -20 "$build/configure.out"; exit 1; }
fi
(cd "$build" && make -j"$(nproc)" >make.out 2>&1 &&
    make tests/net/gwtest-send tests/net/gwtest-recv tests/net/amt-testgw \
    tests/net/mcsend >>make.out 2>&1)
rc=$?
for b in relay/amtrelayd gateway/amtgwd tools/amtctl; do
	if [ ! -x "$build/$b" ]; then
		echo "demo.sh: daemons not built yet ($b missing)" >&2
		grep -E 'error' "$build/make.out" | head -20 >&2
		exit 1
	fi
done
[ "$rc" -eq 0 ] || { grep -E 'error' "$build/make.out" | head -20; exit 1; }

top_srcdir=$top
top_builddir=$(cd "$build" && pwd)
. "$top/tests/net/lib.sh"
. "$top/tests/net/e2e.sh"

RATE=${DEMO_RATE:-2000}
SECONDS_=${DEMO_SECONDS:-10}

e2e_setup demo
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
echo "== namespaces: $NS_SRC (source), $NS_RELAY (relay), $NS_GW (gateway host)"
echo "   the gateway host reaches the relay by unicast only (10.2.0.0/24)"
e2e_relay "$NS_RELAY" up0 -a "$R4" -a "$R6"
echo "== amtrelayd -i up0 -a $R4 -a $R6   (pid $RELAY_PID)"
e2e_gw "$NS_GW" gw1 -R "$R4"
echo "== amtgwd -R $R4 -t $TUN   (pid $GW_PID)"
e2e_send "$NS_SRC" send -g "$G4" -s "$S4" -i s0 -r "$RATE" -l 1316
echo "== source $S4 sends ($S4,$G4) at $RATE packets/s, 1316-byte payloads"
echo "== receiver on $TUN joins ($S4,$G4):"
ip netns exec "$NS_GW" "$GWRECV" -i "$TUN" -g "$G4" -s "$S4" -P \
    -w "$SECONDS_" | sed 's/^/   /'
echo "== amtctl show sessions (gateway):"
"$AMTCTL" -S "$E2E_TMP/gw1.sock" show sessions | sed 's/^/   /'
echo "== amtctl show tunnels (relay):"
"$AMTCTL" -S "$RELAY_SOCK" show tunnels | sed 's/^/   /'
echo "== tearing down"
exit 0
