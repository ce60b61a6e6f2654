# Helpers for the gateway end-to-end scenarios (tests/net/gw-*.sh) and the
# gateway benchmarks.  Sourced after tests/net/lib.sh; defines only e2e_*
# names (plus SKIP/FAIL/OK when lib.sh is absent).
#
# Every namespace of a run is named "$E2E_PFX-<role>" and every process
# started is recorded in $E2E_TMP/pids, so that e2e_cleanup (EXIT trap) can
# remove exactly what this run created.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
RELAYD=$top_builddir/relay/amtrelayd
GWD=$top_builddir/gateway/amtgwd
AMTCTL=$top_builddir/tools/amtctl
GWSEND=$top_builddir/tests/net/gwtest-send
GWRECV=$top_builddir/tests/net/gwtest-recv
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi

# Addresses of the standard topology (e2e_topo).
S4=10.1.0.1
S6=fd01::1
R4=10.2.0.1
R6=fd02::1
G4=232.1.1.1
G6=ff3e::8000:1
TUN=amt0

command -v SKIP >/dev/null 2>&1 ||
	SKIP() { echo "SKIP: $*"; exit 77; }
command -v FAIL >/dev/null 2>&1 ||
	FAIL() { echo "FAIL: $*"; exit 99; }
command -v OK >/dev/null 2>&1 ||
	OK() { echo "OK: $*"; exit 0; }

e2e_log() { echo "# $(date +%T) $*"; }

# e2e_setup NAME: root, tools and daemons present; trap; temp dir.
e2e_setup()
{
	E2E_NAME=$1
	[ "$(id -u)" -eq 0 ] || SKIP "$E2E_NAME: needs root"
	for t in ip "$PY"; do
		command -v "$t" >/dev/null 2>&1 || SKIP "$E2E_NAME: no $t"
	done
	[ -e /dev/net/tun ] || SKIP "$E2E_NAME: no /dev/net/tun"
	for b in "$RELAYD" "$GWD" "$AMTCTL" "$GWSEND" "$GWRECV"; do
		[ -x "$b" ] || SKIP "$E2E_NAME: $b not built"
	done
	E2E_PFX=$E2E_NAME-$$
	E2E_TMP=$(mktemp -d "/tmp/$E2E_NAME.XXXXXX") || FAIL "mktemp"
	: >"$E2E_TMP/pids"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

e2e_cleanup()
{
	rc=$?
	trap - EXIT
	if [ -n "${E2E_TMP:-}" ] && [ -f "$E2E_TMP/pids" ]; then
		for p in $(cat "$E2E_TMP/pids"); do
			kill "$p" 2>/dev/null
		done
		i=0
		for p in $(cat "$E2E_TMP/pids"); do
			while ! e2e_gone "$p" && [ $i -lt 30 ]; do
				sleep 0.1; i=$((i + 1))
			done
			kill -9 "$p" 2>/dev/null
		done
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
			for f in "$E2E_TMP"/*.log; do
				[ -f "$f" ] || continue
				echo "---- $f (last 25 lines)"
				tail -25 "$f"
			done
		fi
	fi
	for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $n in "${E2E_PFX:-none}"-*) ip netns del "$n" ;; esac
	done
	[ -n "${E2E_TMP:-}" ] && rm -rf "$E2E_TMP"
	exit "$rc"
}

e2e_nsname() { echo "$E2E_PFX-$1"; }

# e2e_ns ROLE: a namespace with lo up, no rp_filter, no DAD.
e2e_ns()
{
	n=$(e2e_nsname "$1")
	ip netns add "$n" || FAIL "ip netns add $n"
	ip -n "$n" link set lo up
	ip netns exec "$n" sh -c '
		for k in all default; do
			sysctl -qw net.ipv4.conf.$k.rp_filter=0
			sysctl -qw net.ipv6.conf.$k.accept_dad=0
		done' || FAIL "sysctl in $n"
}

# e2e_link NS1 IF1 NS2 IF2: a veth pair, both ends up.
e2e_link()
{
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" ||
		FAIL "veth $2/$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# e2e_addr NS IF ADDR/PLEN...
e2e_addr()
{
	_ns=$1; _if=$2; shift 2
	for a in "$@"; do
		case $a in
		*:*) ip -n "$_ns" -6 addr add "$a" dev "$_if" nodad ;;
		*) ip -n "$_ns" addr add "$a" dev "$_if" ;;
		esac || FAIL "address $a on $_if"
	done
}

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
	e2e_link "$NS_SRC" s0 "$NS_RELAY" up0
	e2e_addr "$NS_SRC" s0 10.1.0.1/24 fd01::1/64
	e2e_addr "$NS_RELAY" up0 10.1.0.2/24 fd01::2/64
	ip -n "$NS_SRC" route add 224.0.0.0/4 dev s0
	ip -n "$NS_RELAY" link add br0 type bridge || FAIL "bridge"
	ip -n "$NS_RELAY" link set br0 up
	e2e_addr "$NS_RELAY" br0 10.2.0.1/24 fd02::1/64
	i=1
	while [ "$i" -le "$1" ]; do
		e2e_ns "gw$i"
		e2e_link "$(e2e_nsname "gw$i")" g0 "$NS_RELAY" "gw$i"
		ip -n "$NS_RELAY" link set "gw$i" master br0
		e2e_addr "$(e2e_nsname "gw$i")" g0 "10.2.0.$((10 + i))/24" \
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
}

# e2e_wait SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
e2e_wait()
{
	_n=$(($1 * 10)); shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

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
e2e_relay()
{
	_ns=$1; _up=$2; shift 2
	RELAY_SOCK=$E2E_TMP/relay.sock
	e2e_start "$_ns" relay "$RELAYD" -d -v -i "$_up" -S "$RELAY_SOCK" "$@"
	RELAY_PID=$E2E_PID
	e2e_wait 10 e2e_ctl_ok "$RELAY_SOCK" ||
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
	e2e_wait 10 e2e_tun_up "$_ns" || FAIL "$_name: tun $TUN not up"
	e2e_wait 10 e2e_ctl_ok "$E2E_TMP/$_name.sock" ||
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
	e2e_wait 5 test -s "$E2E_TMP/$_name.out" ||
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
