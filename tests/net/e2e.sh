# Helpers for the gateway end-to-end scenarios (tests/net/gw-*.sh), the
# gateway benchmarks and scripts/demo.sh.  Sourced after tests/net/lib.sh,
# whose lib_init, ns_new, FAIL/SKIP/OK and cleanup they build on; the
# names defined here all start with e2e_ (and the address variables below).
#
# Processes started here are listed in $LIB_TMP/pids (lib's cleanup ends
# them) and in $E2E_TMP/e2e.pids: e2e_cleanup stops and reaps those first,
# then hands over to lib_cleanup (namespaces, temp dir, exit code).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
RELAYD=$top_builddir/relay/amtrelayd
GWD=$top_builddir/gateway/amtgwd
AMTCTL=$top_builddir/tools/amtctl
GWSEND=$top_builddir/tests/net/gwtest-send
GWRECV=$top_builddir/tests/net/gwtest-recv
MROUTE_PROBE=$top_builddir/tests/net/mroute-probe
NO_MROUTE=$top_builddir/tests/net/no-mroute.so
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi

# Addresses of the standard topology (e2e_topo).
S4=10.1.0.1
S6=fd01::1
R4=10.2.0.1
R6=fd02::1
G4=232.1.1.1
G6=ff3e::8000:1
TUN=amt0

e2e_log() { echo "# $(date +%T) $*"; }

# e2e_setup NAME: lib_init (root, temp dir, trap), and our programs.
e2e_setup()
{
	lib_init "$1"
	check_dep "$RELAYD" "$GWD" "$AMTCTL" "$GWSEND" "$GWRECV"
	[ -e /dev/net/tun ] || SKIP "no /dev/net/tun"
	E2E_TMP=$LIB_TMP
	: >"$E2E_TMP/e2e.pids"
	trap e2e_cleanup EXIT
}

e2e_rc() { return "$1"; }

# e2e_mroute_probe NS [-4|-6]: SKIP unless NS can route multicast (a
# kernel without CONFIG_IP_MROUTE / CONFIG_IPV6_MROUTE).  With
# AMT_TEST_NO_MROUTE=1 the probe runs with no-mroute.so preloaded, which
# makes any kernel look like one without.
e2e_mroute_probe()
{
	_ns=$1; shift
	check_dep "$MROUTE_PROBE"
	if [ "${AMT_TEST_NO_MROUTE:-0}" = 1 ]; then
		[ -e "$NO_MROUTE" ] || SKIP "$NO_MROUTE not built"
		_why=$(ip netns exec "$_ns" env LD_PRELOAD="$NO_MROUTE" \
		    "$MROUTE_PROBE" "$@") ||
			SKIP "$(e2e_lines "$_why") (AMT_TEST_NO_MROUTE=1)"
		FAIL "no-mroute.so did not take MRT_INIT/MRT6_INIT away"
	fi
	_why=$(ip netns exec "$_ns" "$MROUTE_PROBE" "$@") ||
		SKIP "kernel without multicast routing: $(e2e_lines "$_why")"
}
e2e_lines() { echo "$1" | sed -n 'H;${x;s/^\n//;s/\n/; /g;p;}'; }

# Stop and reap our processes (a zombie would hold lib's cleanup), then
# lib_cleanup with the exit code we were given.
e2e_cleanup()
{
	rc=$?
	trap - EXIT
	for p in $(cat "$E2E_TMP/e2e.pids" 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	for p in $(cat "$E2E_TMP/e2e.pids" 2>/dev/null); do
		e2e_wait 3 e2e_gone "$p" || kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	e2e_rc "$rc"
	lib_cleanup
}

e2e_nsname() { echo "$LIB_PFX-$1"; }

# e2e_ns ROLE: lib's namespace (lo up, no rp_filter, no DAD).
e2e_ns() { ns_new "$1" >/dev/null; }

# e2e_topo NGW: source -- relay -- bridge -- gw1..gwNGW
#
#   [src] s0 10.1.0.1 fd01::1
#     |
#   up0 10.1.0.2 fd01::2 [relay] br0 10.2.0.1 fd02::1
#                                  |-- g0 10.2.0.11 fd02::11 [gw1]
#                                  |-- g0 10.2.0.12 fd02::12 [gw2] ...
e2e_topo()
{
	NS_SRC=$(e2e_nsname src); NS_RELAY=$(e2e_nsname relay)
	e2e_ns src; e2e_ns relay
	ns_link "$NS_SRC" s0 "$NS_RELAY" up0
	ns_addr "$NS_SRC" s0 10.1.0.1/24 fd01::1/64
	ns_addr "$NS_RELAY" up0 10.1.0.2/24 fd01::2/64
	ip -n "$NS_SRC" route add 224.0.0.0/4 dev s0
	ns_bridge "$NS_RELAY" br0
	ns_addr "$NS_RELAY" br0 10.2.0.1/24 fd02::1/64
	i=1
	while [ "$i" -le "$1" ]; do
		e2e_ns "gw$i"
		ns_link "$(e2e_nsname "gw$i")" g0 "$NS_RELAY" "gw$i"
		ip -n "$NS_RELAY" link set "gw$i" master br0
		ns_addr "$(e2e_nsname "gw$i")" g0 "10.2.0.$((10 + i))/24" \
		    "fd02::$((10 + i))/64"
		i=$((i + 1))
	done
}

# e2e_start NS LOGNAME CMD...: run in the background; E2E_PID is its pid.
e2e_start()
{
	_ns=$1; _log=$2; shift 2
	ip netns exec "$_ns" "$@" >>"$E2E_TMP/$_log.log" 2>&1 &
	E2E_PID=$!
	echo "$E2E_PID" >>"$E2E_TMP/pids"
	echo "$E2E_PID" >>"$E2E_TMP/e2e.pids"
}

# e2e_wait SECONDS CMD...: lib's wait_for (poll CMD every 0.1 s until it
# succeeds; 1 at the deadline, wall clock however long CMD takes).
e2e_wait() { wait_for "$@"; }

# e2e_json SOCK "REQUEST" PYEXPR: evaluate PYEXPR over the reply j.
e2e_json()
{
	"$AMTCTL" -S "$1" $2 --json 2>/dev/null | "$PY" -c '
import json, sys
try:
    j = json.load(sys.stdin)
    print(eval(sys.argv[1]))
except Exception as e:
    print("")
' "$3"
}

# e2e_ctl_ok SOCK: the daemon answers "show stats".
e2e_ctl_ok() { "$AMTCTL" -S "$1" show stats --json >/dev/null 2>&1; }

# e2e_relay NS UPIF [ARGS...]: start amtrelayd with socket $E2E_TMP/relay.sock
# and no state file unless ARGS give one (--state-file PATH)
e2e_relay()
{
	_ns=$1; _up=$2; shift 2
	RELAY_SOCK=$E2E_TMP/relay.sock
	e2e_start "$_ns" relay "$RELAYD" -d -v -i "$_up" -S "$RELAY_SOCK" \
	    --state-file none "$@"
	RELAY_PID=$E2E_PID
	e2e_wait 30 e2e_ctl_ok "$RELAY_SOCK" ||
		FAIL "amtrelayd did not answer on $RELAY_SOCK"
}

# e2e_gw NS NAME [ARGS...]: start amtgwd with tun $TUN, socket
# $E2E_TMP/NAME.sock; waits until the tun is up.
e2e_gw()
{
	_ns=$1; _name=$2; shift 2
	e2e_start "$_ns" "$_name" "$GWD" -d -v -t "$TUN" \
	    -S "$E2E_TMP/$_name.sock" "$@"
	GW_PID=$E2E_PID
	e2e_wait 30 e2e_tun_up "$_ns" || FAIL "$_name: tun $TUN not up"
	e2e_wait 30 e2e_ctl_ok "$E2E_TMP/$_name.sock" ||
		FAIL "$_name: amtgwd did not answer"
}

e2e_tun_up() { ip -n "$1" link show "$TUN" 2>/dev/null | grep -q '[<,]UP[,>]'; }

# e2e_gw_up SOCK: one session is "up".
e2e_gw_up()
{
	[ "$(e2e_json "$1" "show sessions" \
	    'sum(1 for s in j["sessions"] if s.get("state") == "up")')" \
	    -ge 1 ] 2>/dev/null
}

# e2e_ntunnels: tunnels of the relay.
e2e_ntunnels() { e2e_json "$RELAY_SOCK" "show tunnels" 'len(j["tunnels"])'; }
e2e_ntunnels_is() { [ "$(e2e_ntunnels)" = "$1" ]; }

# e2e_relay_wants GROUP...: the relay forwards every GROUP to a tunnel.
e2e_relay_wants()
{
	"$AMTCTL" -S "$RELAY_SOCK" show flows --json 2>/dev/null | "$PY" -c '
import json, sys
try:
    f = json.load(sys.stdin)["flows"]
except Exception:
    sys.exit(2)
have = set(x["group"] for x in f if x.get("tunnels", 1) > 0)
sys.exit(0 if all(g in have for g in sys.argv[1:]) else 1)' "$@"
}
e2e_relay_not_wants()
{
	e2e_relay_wants "$1"
	[ $? -eq 1 ]
}

# e2e_recv NS NAME ARGS...: gwtest-recv on the tun, summary in NAME.out
e2e_recv()
{
	_ns=$1; _name=$2; shift 2
	rm -f "$E2E_TMP/$_name.out"
	e2e_start "$_ns" "$_name" "$GWRECV" -i "$TUN" \
	    -o "$E2E_TMP/$_name.out" "$@"
	RECV_PID=$E2E_PID
	e2e_wait 20 test -s "$E2E_TMP/$_name.out" ||
		FAIL "$_name: receiver did not start"
}

# e2e_stat NAME KEY: a value of a receiver's summary.
e2e_stat()
{
	tr ' ' '\n' <"$E2E_TMP/$1.out" 2>/dev/null | sed -n "s/^$2=//p"
}
e2e_stat_ge() { [ "$(e2e_stat "$1" "$2")" -ge "$3" ] 2>/dev/null; }

# e2e_send NS NAME ARGS...: gwtest-send in the background (E2E_PID).
e2e_send()
{
	_ns=$1; _name=$2; shift 2
	e2e_start "$_ns" "$_name" "$GWSEND" "$@"
	SEND_PID=$E2E_PID
}

# e2e_stop PID...: SIGTERM and wait for the exit.
e2e_stop()
{
	for p in "$@"; do
		kill "$p" 2>/dev/null
		e2e_wait 5 e2e_gone "$p" || kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	return 0
}
# e2e_gone PID: exited (a zombie child counts as gone).
e2e_gone()
{
	[ ! -e "/proc/$1/stat" ] ||
	    [ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" = Z ]
}

# e2e_now, e2e_since T0: seconds, with fractions.
e2e_now() { date +%s.%N; }
e2e_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

# e2e_probe NSSRC NSGW GROUP SOURCE [SECONDS]: the path works end to end:
# a receiver on port 5999 gets a packet sent at 200 pps.
e2e_probe()
{
	_t=${5:-20}
	e2e_recv "$2" probe -g "$3" -s "$4" -p 5999 -1 -w "$_t"
	_rp=$RECV_PID
	e2e_send "$1" probesend -g "$3" -s "$4" -i s0 -p 5999 -r 200 -l 64
	_sp=$SEND_PID
	e2e_wait "$_t" e2e_stat_ge probe unique 1
	_rc=$?
	e2e_stop "$_sp" "$_rp"
	return $_rc
}

# e2e_cpu_ticks PID: utime + stime in clock ticks.
e2e_cpu_ticks()
{
	sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

# e2e_requests PCAP: one line "P-flag nonce" per AMT Request (type 3) to
# port 2268 in a capture on an Ethernet (veth) interface.
e2e_requests()
{
	"$PY" - "$1" <<'PYEOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
off = 24
while off + 16 <= len(d):
    n = struct.unpack("=I", d[off + 8:off + 12])[0]
    if off + 16 + n > len(d):
        break  # a record still being written by the capture
    p = d[off + 16:off + 16 + n]
    off += 16 + n
    if len(p) < 14:
        continue
    et = struct.unpack("!H", p[12:14])[0]
    ip = p[14:]
    if et == 0x0800 and len(ip) >= 20 and ip[9] == 17:
        udp = ip[(ip[0] & 15) * 4:]
    elif et == 0x86dd and len(ip) >= 40 and ip[6] == 17:
        udp = ip[40:]
    else:
        continue
    if len(udp) < 16 or struct.unpack("!H", udp[2:4])[0] != 2268:
        continue
    if udp[8] == 3:
        print(udp[9] & 1, udp[12:16].hex())
PYEOF
}
