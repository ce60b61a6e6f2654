# Shared helpers of the network-namespace scenarios (sourced, POSIX sh).
#
#   SKIP/FAIL/OK     exit 77 / 99 / 0 with a message
#   check_dep        skip when a tool is missing
#   lib_init NAME    root, tools, temp dir, cleanup trap (EXIT)
#   ns_new/ns_link/ns_addr   namespaces and veth pairs (unique names)
#   topo_relay       source ns <-> relay ns <-> gateway ns (v4 + v6)
#   bg NAME NS CMD   a background process that cleanup will end
#   wait_for SECS CMD   poll CMD every 0.1 s until it succeeds
#   relay_start ARGS / relay_stop, ctl, rstat, ntunnels, jget, jcheck
#   mcstate NS       upstream memberships seen in /proc/net
#   cap_start/cap_stop   tcpdump captures
#
# Nothing here runs on source: a scenario calls lib_init first.  The
# cleanup ends only the processes started through bg/relay_start/cap_start
# (by pid) and deletes only the namespaces made by ns_new.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
AMTRELAYD=${AMTRELAYD:-$top_builddir/relay/amtrelayd}
AMTCTL=${AMTCTL:-$top_builddir/tools/amtctl}
TESTGW=${TESTGW:-$top_builddir/tests/net/amt-testgw}
MCSEND=${MCSEND:-$top_builddir/tests/net/mcsend}
LIB_TMP=
LIB_NAME=
RELAY_PID=
RELAY_SOCK=

SKIP() { echo "SKIP: $LIB_NAME: $*"; exit 77; }
OK() { echo "OK: $LIB_NAME: $*"; exit 0; }
log() { echo "# $LIB_NAME: $*"; }

FAIL()
{
	echo "FAIL: $LIB_NAME: $*"
	lib_dump_logs
	exit 99
}

# Show the tail of every log of this run (make check keeps it in .log).
lib_dump_logs()
{
	[ -n "$LIB_TMP" ] && [ -d "$LIB_TMP" ] || return 0
	# A scenario may first gather logs kept elsewhere (containers).
	[ -z "${LIB_DUMP_HOOK:-}" ] || $LIB_DUMP_HOOK
	for f in "$LIB_TMP"/*.log "$LIB_TMP"/*.err; do
		[ -s "$f" ] || continue
		echo "---- $f"
		tail -n 30 "$f"
	done
}

check_dep()
{
	for t in "$@"; do
		case $t in
		/*) [ -x "$t" ] || SKIP "$t not built" ;;
		*) command -v "$t" >/dev/null 2>&1 || SKIP "no $t" ;;
		esac
	done
}

lib_init()
{
	LIB_NAME=$1
	[ "$(id -u)" -eq 0 ] || SKIP "needs root"
	check_dep ip python3 "$AMTRELAYD" "$AMTCTL" "$TESTGW" "$MCSEND"
	ip netns list >/dev/null 2>&1 || SKIP "no network namespaces"
	LIB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$LIB_NAME.XXXXXX") ||
		FAIL "mktemp"
	LIB_PFX=$(echo "$LIB_NAME" | cut -c1-12)-$$
	RELAY_SOCK=$LIB_TMP/relay.sock
	: >"$LIB_TMP/pids"
	: >"$LIB_TMP/netns"
	trap lib_cleanup EXIT
	trap 'exit 130' INT TERM HUP PIPE
	LIB_T0=$(date +%s)
}

# End our processes (TERM, then KILL after 2 s), delete our namespaces.
lib_cleanup()
{
	rc=$?
	trap - EXIT
	[ -n "$LIB_TMP" ] || exit $rc
	for p in $(cat "$LIB_TMP/pids"); do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $(cat "$LIB_TMP/pids"); do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 20 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null
	done
	for ns in $(cat "$LIB_TMP/netns"); do
		ip netns delete "$ns" 2>/dev/null
	done
	lib_sanitizer_check || { [ $rc -eq 0 ] && rc=99; }
	log "$(( $(date +%s) - LIB_T0 )) s"
	if [ $rc -eq 0 ] || [ $rc -eq 77 ] || [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$LIB_TMP"
	else
		echo "# kept $LIB_TMP"
	fi
	exit $rc
}

# With a sanitizer build (the CI memory check), a report in any output
# of the scenario's processes (daemons and tools) fails the scenario.
lib_sanitizer_check()
{
	sc_files=$(grep -rlsIE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	    "$LIB_TMP" 2>/dev/null) || return 0
	for f in $sc_files; do
		echo "FAIL: sanitizer report in ${f##*/}:"
		grep -E -A25 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		    "$f" | head -40
	done
	return 1
}

# wait_for SECONDS CMD...: poll until CMD succeeds; 1 at the deadline.
wait_for()
{
	wf_end=$(( $(date +%s%N) / 1000000 + $(echo "$1" |
	    awk '{ printf "%d", $1 * 1000 }') ))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ $(( $(date +%s%N) / 1000000 )) -ge $wf_end ] && return 1
		sleep 0.1
	done
}

# ns_new SHORT: a namespace named $LIB_PFX-SHORT, printed; lo up,
# reverse-path filter off, no DAD (rp_filter drops what arrives on
# an unexpected interface; DAD leaves new IPv6 addresses unusable for 1-2 s).
ns_new()
{
	ns=$LIB_PFX-$1
	ip netns add "$ns" || FAIL "ip netns add $ns"
	echo "$ns" >>"$LIB_TMP/netns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sh -c '
	    for k in all default; do
		echo 0 >/proc/sys/net/ipv4/conf/$k/rp_filter
		echo 0 >/proc/sys/net/ipv6/conf/$k/accept_dad
	    done
	    echo 0 >/proc/sys/net/ipv4/conf/lo/rp_filter' ||
		FAIL "sysctl in $ns"
	echo "$ns"
}

# ns_bridge NS NAME [OPTION...]: a bridge, up, with a fixed MAC address.
# A bridge left to itself takes the lowest MAC of its ports, so it changes
# as ports join; a host's IPv6 neighbour entry for the router then points
# at a port's MAC, which the bridge hands up as "other host" and the
# router drops until the entry fails (about 8 s).  A router's MAC stays.
LIB_NBRIDGE=0
ns_bridge()
{
	LIB_NBRIDGE=$((LIB_NBRIDGE + 1))
	nb_ns=$1 nb_name=$2
	shift 2
	ip -n "$nb_ns" link add "$nb_name" address \
	    "$(printf '02:a7:00:00:00:%02x' "$LIB_NBRIDGE")" type bridge "$@" ||
		FAIL "bridge $nb_name in $nb_ns"
	ip -n "$nb_ns" link set "$nb_name" up
}

# ns_link NS1 IF1 NS2 IF2 [MTU]: a veth pair between two namespaces.
ns_link()
{
	ip link add "$2" netns "$1" ${5:+mtu $5} type veth \
	    peer name "$4" netns "$3" ${5:+mtu $5} ||
		FAIL "veth $1/$2 - $3/$4"
	for x in "$1 $2" "$3 $4"; do
		set -- $x
		ip netns exec "$1" sh -c \
		    "echo 0 >/proc/sys/net/ipv4/conf/$2/rp_filter"
		ip -n "$1" link set "$2" up
	done
}

# ns_addr NS IF ADDR/LEN...: IPv6 addresses without DAD.
ns_addr()
{
	na_ns=$1 na_if=$2
	shift 2
	for a in "$@"; do
		case $a in
		*:*) ip -n "$na_ns" addr add "$a" dev "$na_if" nodad ;;
		*) ip -n "$na_ns" addr add "$a" dev "$na_if" ;;
		esac || FAIL "addr $a on $na_ns/$na_if"
	done
}

# The relay topology used by every relay-*.sh:
#
#   [src] s0 -------- r0 [relay] r1 -------- g0 [gw]
#   S4 192.0.2.1      U4 192.0.2.2          GW4 198.51.100.2
#   S6 2001:db8:1::1  U6 2001:db8:1::2      GW6 2001:db8:2::2
#                     R4 198.51.100.1 / R6 2001:db8:2::1 on r1
#                     anycast 192.52.193.1, 2001:3::1 on lo
#
# topo_relay [UPSTREAM_MTU]
topo_relay()
{
	NS_SRC=$(ns_new src)
	NS_RELAY=$(ns_new relay)
	NS_GW=$(ns_new gw)
	S4=192.0.2.1 S6=2001:db8:1::1 U4=192.0.2.2 U6=2001:db8:1::2
	R4=198.51.100.1 R6=2001:db8:2::1 GW4=198.51.100.2 GW6=2001:db8:2::2
	ANY4=192.52.193.1 ANY6=2001:3::1
	ns_link "$NS_SRC" s0 "$NS_RELAY" r0 ${1:-}
	ns_link "$NS_RELAY" r1 "$NS_GW" g0
	ns_addr "$NS_SRC" s0 $S4/24 $S6/64
	ns_addr "$NS_RELAY" r0 $U4/24 $U6/64
	ns_addr "$NS_RELAY" r1 $R4/24 $R6/64
	ns_addr "$NS_RELAY" lo $ANY4/32 $ANY6/128
	ns_addr "$NS_GW" g0 $GW4/24 $GW6/64
	ip -n "$NS_SRC" route add 224.0.0.0/4 dev s0
	ip -n "$NS_GW" route add $ANY4/32 via $R4
	ip -n "$NS_GW" -6 route add $ANY6/128 via $R6
	mc_anchor "$NS_RELAY"
}

# bg NAME NS CMD...: run CMD in NS in the background; output in
# $LIB_TMP/NAME.out and NAME.err; its pid in BG_PID and the pid list.
bg()
{
	bg_name=$1 bg_ns=$2
	shift 2
	ip netns exec "$bg_ns" "$@" >"$LIB_TMP/$bg_name.out" \
	    2>"$LIB_TMP/$bg_name.err" &
	BG_PID=$!
	echo "$BG_PID" >>"$LIB_TMP/pids"
}

# wait_pid PID SECONDS: wait for a background process to end and return
# its exit code; at the deadline TERM it (amt-testgw then still prints
# its JSON), KILL it 3 s later, and return 124.
wait_pid()
{
	wait_for "$2" sh -c "! kill -0 $1" && { wait "$1"; return; }
	kill -TERM "$1" 2>/dev/null
	wait_for 3 sh -c "! kill -0 $1" || kill -KILL "$1" 2>/dev/null
	wait "$1"
	return 124
}

# relay_start ARGS...: amtrelayd in NS_RELAY on r0 with R4 and R6, ready
# when its control socket answers (no state file unless ARGS give one:
# scenarios run in parallel must not share /var/lib/amt).
relay_start()
{
	rm -f "$RELAY_SOCK"
	bg relay "$NS_RELAY" "$AMTRELAYD" -d -v -i r0 -a "$R4" -a "$R6" \
	    -S "$RELAY_SOCK" --state-file none "$@"
	RELAY_PID=$BG_PID
	cp /dev/null "$LIB_TMP/relay.log" 2>/dev/null
	wait_for 30 ctl show stats || {
		relay_log; FAIL "amtrelayd did not start ($*)"; }
}

relay_log()
{
	cp "$LIB_TMP/relay.err" "$LIB_TMP/relay.log" 2>/dev/null
}

relay_alive()
{
	kill -0 "$RELAY_PID" 2>/dev/null
}

# relay_stop: SIGTERM and wait (R16: it shuts down cleanly).
relay_stop()
{
	kill -TERM "$RELAY_PID" 2>/dev/null
	wait_pid "$RELAY_PID" 10
	rs_rc=$?
	relay_log
	return $rs_rc
}

relay_rss()
{
	awk '/^VmRSS:/ { print $2 }' "/proc/$RELAY_PID/status"
}

# ctl show tunnels|flows|stats: the relay's JSON answer.
ctl()
{
	"$AMTCTL" -S "$RELAY_SOCK" "$@" --json
}

# jget EXPR: evaluate a Python expression over the JSON on stdin (d).
jget()
{
	python3 -c 'import json,sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

# jtest EXPR: true if the Python expression over the JSON on stdin holds.
jtest()
{
	python3 -c 'import json,sys
d = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1"
}

# jcheck FILE EXPR MESSAGE: FAIL with MESSAGE (and the JSON) unless
# EXPR holds over the JSON document in FILE.
jcheck()
{
	jtest "$2" <"$1" 2>/dev/null && return 0
	echo "# $1: $(head -c 2000 "$1")"
	FAIL "$3 [$2]"
}

# rstat NAME: one relay counter.
rstat()
{
	ctl show stats | jget "d.get('$1', -1)"
}

ntunnels()
{
	ctl show tunnels | jget "len(d['tunnels'])"
}

# tunnel_up ADDR:PORT: the relay has a tunnel for that gateway.
tunnel_up()
{
	ctl show tunnels | jtest "any(t['gateway'] == '$1' \
	    for t in d['tunnels'])"
}

# ntunnels_is N: for wait_for.
ntunnels_is()
{
	[ "$(ntunnels)" = "$1" ]
}

# stat_ge NAME N: for wait_for.
stat_ge()
{
	[ "$(rstat "$1")" -ge "$2" ]
}

# mcstate NS: the host memberships of NS as lines "IF G" (from
# /proc/net/igmp, igmp6) and "IF S,G include|exclude" (mcfilter, 6).
mcstate()
{
	ip netns exec "$1" python3 -c '
import ipaddress, socket, struct
def v4(h, host_order):
    n = int(h, 16)
    return str(ipaddress.IPv4Address(n if host_order else
        struct.unpack("<I", struct.pack(">I", n))[0]))
def v6(h):
    return str(ipaddress.IPv6Address(bytes.fromhex(h)))
dev = None
for l in open("/proc/net/igmp").read().splitlines()[1:]:
    if not l.startswith("\t"):
        dev = l.split()[1]
    else:
        print(dev, v4(l.split()[0], False))
for l in open("/proc/net/igmp6"):
    f = l.split()
    print(f[1], v6(f[2]))
for l in open("/proc/net/mcfilter").read().splitlines()[1:]:
    f = l.split()
    print(f[1], v4(f[3], True) + "," + v4(f[2], True),
        "include" if f[4] != "0" else "exclude")
for l in open("/proc/net/mcfilter6").read().splitlines()[1:]:
    f = l.split()
    print(f[1], v6(f[3]) + "," + v6(f[2]),
        "include" if f[4] != "0" else "exclude")
'
}

# mc_anchor NS: a process holding source-specific joins on NS's lo.
# /proc/net/mcfilter (and mcfilter6) list nothing at all unless the
# newest group of the first device that has groups has a source list
# (the iterator's first step looks at one group per device only; seen on
# Linux 6.18): lo comes first, and this join stays its newest group.
mc_anchor()
{
	bg "anchor-$1" "$1" python3 -c '
import socket, struct, sys, time
idx = socket.if_nametoindex("lo")
def sa(fam, a):
    if fam == socket.AF_INET:
        b = struct.pack("=H", fam) + b"\0\0" + socket.inet_aton(a)
    else:
        b = struct.pack("=H", fam) + b"\0" * 6 + \
            socket.inet_pton(fam, a) + b"\0" * 4
    return b + b"\0" * (128 - len(b))
for fam, lvl, s, g in ((socket.AF_INET, socket.IPPROTO_IP,
        "192.0.2.254", "232.255.255.254"), (socket.AF_INET6,
        socket.IPPROTO_IPV6, "2001:db8::fe", "ff3e::ffff:fffe")):
    k = socket.socket(fam, socket.SOCK_DGRAM)
    k.setsockopt(lvl, 46, struct.pack("=I4x", idx) + sa(fam, g) + sa(fam, s))
    globals()["keep" + str(fam)] = k
print("joined", flush=True)
time.sleep(3600)
'
	wait_for 20 has_member "$1" "lo 192.0.2.254,232.255.255.254 include" &&
	    wait_for 20 has_member "$1" "lo 2001:db8::fe,ff3e::ffff:fffe include" ||
		FAIL "mc_anchor: no source-specific join on lo in $1"
}

# has_member NS PATTERN / no_member NS PATTERN: grep -x over mcstate.
has_member()
{
	mcstate "$1" | grep -qx "$2"
}

no_member()
{
	! mcstate "$1" | grep -qx "$2"
}

# cap_start NAME NS IF FILTER...: tcpdump into $LIB_TMP/NAME.pcap
# (-U --immediate-mode: nothing is lost at the end, unlike tshark; a
# 16 MiB ring keeps a tcpdump that runs late on a busy machine from
# dropping packets).
cap_start()
{
	cs_name=$1 cs_ns=$2 cs_if=$3
	shift 3
	bg "cap-$cs_name" "$cs_ns" tcpdump -n -i "$cs_if" --immediate-mode -U \
	    -B 16384 -s 0 -w "$LIB_TMP/$cs_name.pcap" "$@"
	CAP_PID=$BG_PID
	wait_for 30 grep -q "listening on" "$LIB_TMP/cap-$cs_name.err" ||
		FAIL "tcpdump on $cs_ns/$cs_if did not start"
}

cap_stop()
{
	kill -INT "$1" 2>/dev/null
	wait_pid "$1" 5
	return 0
}

# gw NAME ARGS...: amt-testgw in NS_GW in the foreground; its JSON in
# $LIB_TMP/NAME.json; its exit code returned.
gw()
{
	gw_name=$1
	shift
	ip netns exec "$NS_GW" "$TESTGW" "$@" >"$LIB_TMP/$gw_name.json" \
	    2>"$LIB_TMP/$gw_name.err"
}

# gw_bg NAME ARGS...: the same in the background (pid in BG_PID); the
# JSON appears in $LIB_TMP/NAME.out when it ends.
gw_bg()
{
	gb_name=$1
	shift
	bg "$gb_name" "$NS_GW" "$TESTGW" "$@"
}

# join_list SOURCE PREFIX N: "--join SOURCE,PREFIX.X.Y" for the groups
# 1 .. N counted in the last two bytes (232.10 3: 232.10.0.1 .. .0.3),
# on one line, for amt-testgw.
join_list()
{
	jl_i=1
	while [ $jl_i -le "$3" ]; do
		printf ' --join %s,%s.%d.%d' "$1" "$2" $((jl_i / 256)) \
		    $((jl_i % 256))
		jl_i=$((jl_i + 1))
	done
}

# send NS ARGS...: mcsend in NS (foreground).
send()
{
	sd_ns=$1
	shift
	ip netns exec "$sd_ns" "$MCSEND" "$@"
}
