#!/bin/sh
# relay-fwd: amtrelayd's data plane between a native source and gateways.
# covers: R9 R10 R12 R15 R16
#
#   [src] S0 10.92.1.1, .3 ---veth--- R0 10.92.1.2 [relay] R1 10.92.2.1
#         multicast source           amtrelayd -i R0 --tunnel-mtu 600
#                                          |veth
#                                    K1 10.92.2.2 [gw] bench-gw gateways
#
# Checksum offload stays on at the source (the relay must finish the UDP
# checksums it captures).  Checks: Data reaches every gateway of an (S,G)
# with a correct inner checksum, outer DF set and outer DSCP zero; R15
# (RFC 9601 6.1.4): the source sends ECT(0) and CE, the outer ECN is the
# inner one for the gateway that set E in its Requests (also on IPv4
# fragments and in UDP GSO runs with both values interleaved) and zero for
# the others, and zero for all after a reload to `ecn no`; `show tunnels`
# says which tunnel copies ECN; an EXCLUDE {S} gateway gets other sources but
# not S; joins beyond the per-socket kernel limits (25 groups, 12 sources
# of one group); DF-clear datagrams over the tunnel MTU arrive as IPv4
# fragments, DF-set ones are dropped with ICMP fragmentation-needed to the
# source; on SIGTERM the relay leaves every group.
set -u

# lib.sh for wait_for (a poll with a deadline); this scenario keeps its
# own SKIP, FAIL and cleanup.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
SKIP() { echo "SKIP: $*"; exit 77; }
FAIL() { echo "FAIL: $*"; exit 99; }
[ "$(id -u)" = 0 ] || SKIP "needs root"
B=${top_builddir:-$(pwd)}
RELAYD=$B/relay/amtrelayd GW=$B/tests/bench/bench-gw
SEND=$B/tests/bench/bench-send AMTCTL=$B/tools/amtctl
for f in "$RELAYD" "$GW" "$SEND" "$AMTCTL"; do
	[ -x "$f" ] || SKIP "$f not built"
done
for t in tcpdump tshark nsenter python3 ethtool; do
	command -v $t >/dev/null || SKIP "$t missing"
done

p=rw$$
NS_S=relay-fwd$$-src NS_R=relay-fwd$$-relay NS_K=relay-fwd$$-gw
tmp=$(mktemp -d /tmp/relay-fwd.XXXXXX)
pids=""
cleanup() {
	for pid in $pids; do kill "$pid" 2>/dev/null; done
	for pid in $pids; do wait "$pid" 2>/dev/null; done
	for ns in $NS_S $NS_R $NS_K; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' INT TERM

nsx() { ns=$1; shift; nsenter --net=/run/netns/"$ns" -- "$@"; }
nsbg() { ns=$1; shift; exec nsenter --net=/run/netns/"$ns" -- "$@"; }
field() { sed -n "s/.*\<$1 \([0-9]*\).*/\1/p" "$2" 2>/dev/null | tail -1; }
at_least() { v=$(field "$1" "$2"); [ "${v:-0}" -ge "$3" ]; }
stat_of() { nsx $NS_R "$AMTCTL" -S "$tmp/ctl" show stats |
	awk -v k="$1" '$1 == k {print $2}'; }
stat_at_least() { v=$(stat_of "$1"); [ "${v:-0}" -ge "$2" ]; }

for ns in $NS_S $NS_R $NS_K; do
	ip netns add "$ns" || FAIL "netns"
	nsx "$ns" ip link set lo up
	nsx "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	    net.ipv4.conf.default.rp_filter=0
done
ip link add ${p}s0 netns $NS_S type veth peer name ${p}r0 netns $NS_R
ip link add ${p}r1 netns $NS_R type veth peer name ${p}k1 netns $NS_K
nsx $NS_S ip addr add 10.92.1.1/24 dev ${p}s0
nsx $NS_S ip addr add 10.92.1.3/24 dev ${p}s0
nsx $NS_S ip link set ${p}s0 up
nsx $NS_S ip route add 224.0.0.0/4 dev ${p}s0
nsx $NS_R ip addr add 10.92.1.2/24 dev ${p}r0
nsx $NS_R ip addr add 10.92.2.1/24 dev ${p}r1
nsx $NS_R ip link set ${p}r0 up
nsx $NS_R ip link set ${p}r1 up
# The relay sends runs of Data as UDP GSO; a veth passes such a run on
# whole, and a capture would see one frame for several Data messages.
# Segmenting before the device gives the capture what a wire carries.
nsx $NS_R ethtool -K ${p}r1 tx-udp-segmentation off >/dev/null ||
    FAIL "ethtool: cannot turn UDP segmentation offload off"
nsx $NS_K ip addr add 10.92.2.2/24 dev ${p}k1
nsx $NS_K ip link set ${p}k1 up

# /proc/net/mcfilter lists nothing unless the newest group of the first
# device with groups has sources (Linux 6.18): an SSM join on lo first.
nsbg $NS_R python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 39, socket.inet_aton("232.9.9.9") +
    socket.inet_aton("127.0.0.1") + socket.inet_aton("127.0.0.2"))
time.sleep(300)' &
pids="$pids $!"
printf 'ecn yes\nstate-file none\n' >"$tmp/relay.conf"
nsbg $NS_R "$RELAYD" -d -v -f "$tmp/relay.conf" -i ${p}r0 -a 10.92.2.1 \
    -S "$tmp/ctl" --tunnel-mtu 600 --max-tunnels-per-ip 1000 \
    >"$tmp/relay.log" 2>&1 &
relaypid=$!
pids="$pids $relaypid"
wait_for 30 test -S "$tmp/ctl" || { cat "$tmp/relay.log"; FAIL "relay start"; }

# (a 16 MiB ring: on a busy machine tcpdump runs late, and the bursts of
# 10,000 packets/s below overflow the default 2 MiB)
nsbg $NS_K tcpdump -q -n -i ${p}k1 --immediate-mode -U -B 16384 \
    -w "$tmp/gw.pcap" udp port 2268 2>/dev/null &
pids="$pids $!"
nsbg $NS_S tcpdump -q -n -i ${p}s0 --immediate-mode -U -w "$tmp/src.pcap" \
    icmp 2>/dev/null &
pids="$pids $!"
wait_for 30 test -s "$tmp/gw.pcap" && wait_for 30 test -s "$tmp/src.pcap" ||
    FAIL "tcpdump"

gw() {	# gw NAME PORT N ARGS...: gateways on ports PORT.., status NAME
	name=$1 port=$2 n=$3; shift 3
	nsbg $NS_K "$GW" -r 10.92.2.1 -l 10.92.2.2 -p "$port" -n "$n" \
	    -g 232.1.1.1 -o "$tmp/$name" -t 120 -R 30 "$@" \
	    >"$tmp/$name.out" 2>&1 &
	pids="$pids $!"
}
src() { nsx $NS_S "$SEND" -m -d 232.1.1.1 -p 5000 "$@" >/dev/null; }
# igmp_joined GROUP-HEX: the relay joined the group upstream (/proc/net/igmp
# lists it in host order, 232.1.1.1 as 010101E8 here).
igmp_joined() {
	nsx $NS_R awk -v d=${p}r0 -v g="$1" '$2 == d {on = 1; next}
	    /^[0-9]/ {on = 0} on && $1 == g {n++} END {exit n == 0}' \
	    /proc/net/igmp
}
# pcap_count FILTER: Data messages at the gateways matching a display filter.
pcap_count() {
	tshark -r "$tmp/gw.pcap" -d udp.port==2268,amt -Y "$1" 2>/dev/null |
	    wc -l
}
pcap_at_least() { [ "$(pcap_count "$2")" -ge "$1" ]; }

# R10: two INCLUDE gateways of (10.92.1.1, 232.1.1.1), one EXCLUDE {.1};
# R15: one more INCLUDE gateway that sets E (port 21200).
gw inc 21000 2 -s 10.92.1.1
gw exc 21100 1 -s 10.92.1.1 -x
gw ecn 21200 1 -s 10.92.1.1 -E
wait_for 30 stat_at_least tunnels 4 || FAIL "4 tunnels expected"
wait_for 30 igmp_joined 010101E8 || FAIL "R9: 232.1.1.1 not joined upstream"
src -S 10.92.1.1 -T 0x02 -l 200 -r 200 -c 100 -t 10
src -S 10.92.1.1 -T 0x03 -l 200 -r 200 -c 50 -t 10
src -S 10.92.1.3 -T 0x02 -l 200 -r 200 -c 50 -t 10
wait_for 30 at_least total "$tmp/inc" 300 ||
    FAIL "R10: INCLUDE gateways got $(field total "$tmp/inc") of 300"
wait_for 30 at_least total "$tmp/ecn" 150 ||
    FAIL "R10: E gateway got $(field total "$tmp/ecn") of 150"
wait_for 30 at_least total "$tmp/exc" 50 ||
    FAIL "R10: EXCLUDE gateway got $(field total "$tmp/exc") of 50"
sleep 0.5	# (only to let a wrongly forwarded excluded packet arrive)
[ "$(field total "$tmp/exc")" = 50 ] ||
    FAIL "R10: excluded source forwarded ($(field total "$tmp/exc"))"
[ "$(stat_of data-csum-fixed)" -ge 1 ] ||
    echo "note: no unfinished checksum was captured (offload off?)"

# Every Data message: inner UDP checksum right, outer DF 1, DSCP 0; R15:
# outer ECN = inner ECN to the E gateway (21200), 0 to the others.
data_fields() {
	tshark -r "$tmp/gw.pcap" -d udp.port==2268,amt \
	    -o udp.check_checksum:TRUE -Y 'amt.type == 6' -T fields \
	    -e udp.dstport -e ip.flags.df -e ip.dsfield.ecn \
	    -e ip.dsfield.dscp -e udp.checksum.status >"$tmp/data.txt" \
	    2>/dev/null
}
count() { awk -F'\t' -v p="$1" -v o="$2" -v i="$3" '{ split($1, pt, ",");
	split($3, ecn, ","); if ((p == "*" || pt[1] == p) && ecn[1] == o &&
	ecn[2] == i) n++ } END { print n + 0 }' "$tmp/data.txt"; }
# (the capture may lag behind the gateways: wait until it holds them all)
data_captured() {
	data_fields && [ "$(wc -l <"$tmp/data.txt")" -ge 500 ] &&
	    [ "$(count 21200 2 2)" -ge 100 ] &&
	    [ "$(count 21200 3 3)" -ge 50 ] && [ "$(count 21000 0 3)" -ge 50 ]
}
wait_for 30 data_captured
ndata=$(wc -l <"$tmp/data.txt")
[ "$ndata" -ge 500 ] || FAIL "tshark saw $ndata Data messages"
# fields: outer,inner port; outer,inner DF; outer,inner ECN; outer,inner
# DSCP; outer,inner checksum status (0 bad, 1 good; the outer one is left
# to offload on this veth, so a capture cannot judge it)
bad=$(awk -F'\t' '{ split($1, pt, ","); split($2, df, ",");
	split($3, ecn, ","); split($4, dscp, ","); n = split($5, ck, ",");
	want = pt[1] == 21200 ? ecn[2] : 0;
	if (df[1] != 1 || ecn[1] != want || dscp[1] != 0 ||
	    (ecn[2] != 2 && ecn[2] != 3) || ck[n] != 1) print }' \
	"$tmp/data.txt" | head -3)
[ -z "$bad" ] || FAIL "R10/R12/R15: bad Data (port df ecn dscp csum): $bad"
# (so that the check above cannot pass with no E or CE traffic at all)
[ "$(count 21200 2 2)" -ge 100 ] && [ "$(count 21200 3 3)" -ge 50 ] ||
    FAIL "R15: E gateway: $(count 21200 2 2) ECT(0), $(count 21200 3 3) CE copied"
[ "$(count 21000 0 3)" -ge 50 ] ||
    FAIL "R15: $(count 21000 0 3) CE datagrams with outer ECN 0 to 21000"
# R15: `show tunnels` says which tunnel is in normal mode (text, JSON).
ecn_json=$(nsx $NS_R "$AMTCTL" -S "$tmp/ctl" --json show tunnels |
    python3 -c 'import json, sys
print(" ".join(sorted(t["gateway"] for t in json.load(sys.stdin)["tunnels"]
    if t["ecn"] == "yes")))')
[ "$ecn_json" = "10.92.2.2:21200" ] || FAIL "R15: ecn yes in show tunnels: '$ecn_json'"
nsx $NS_R "$AMTCTL" -S "$tmp/ctl" show tunnels | grep -q "ecn" ||
    FAIL "R15: no ecn in show tunnels text"
echo "ok: $ndata Data messages, inner checksums good, outer DF=1 DSCP=0," \
    "ECN copied to the E gateway only ($(stat_of data-ecn-copied))"

# R15: runs of Data to one tunnel leave as UDP GSO messages; ECT(0) and
# CE interleaved in one burst must not share a run (232.1.1.2, E gateway
# alone on port 21300).
gw gso 21300 1 -s 10.92.1.1 -g 232.1.1.2 -E
wait_for 30 stat_at_least tunnels 5 || FAIL "5 tunnels expected"
wait_for 30 igmp_joined 020101E8 || FAIL "R15: 232.1.1.2 not joined upstream"
burst() { nsx $NS_S "$SEND" -m -d 232.1.1.2 -p 5000 -S 10.92.1.1 -l 100 \
	-r 5000 -c 500 -t 10 "$@" >/dev/null; }
burst -T 0x02 & b1=$!
burst -T 0x03 & b2=$!
wait $b1 $b2
wait_for 30 at_least total "$tmp/gso" 1000 ||
    FAIL "R15: GSO gateway got $(field total "$tmp/gso") of 1000"
# (a capture may miss a few of 10,000 packets/s, and lag behind)
gso_ok() {
	tshark -r "$tmp/gw.pcap" -d udp.port==2268,amt -T fields \
	    -e ip.dsfield.ecn -Y 'amt.type == 6 && udp.dstport == 21300' \
	    2>/dev/null | awk -F, '$1 != $2 { bad++ } $1 == 2 { e++ }
	    $1 == 3 { ce++ } END { print e + 0, ce + 0, bad + 0 }' \
	    >"$tmp/gso.txt"
	read -r n_e n_ce n_bad <"$tmp/gso.txt"
	[ "$n_e" -ge 400 ] && [ "$n_ce" -ge 400 ] && [ "$n_bad" = 0 ]
}
wait_for 30 gso_ok ||
    FAIL "R15: GSO runs (ECT(0) CE wrong): $(cat "$tmp/gso.txt")"
echo "ok: interleaved ECT(0) and CE in bursts to one tunnel, outer = inner"

# R9: 25 groups and 12 sources of one group, over the per-socket limits.
gw groups 22000 25 -s 10.92.1.1 -k 25
gw sources 22100 12 -s 10.92.1.10 -K 12
igmp_groups() {
	nsx $NS_R awk -v d=${p}r0 '$2 == d {on = 1; next}
	    /^[0-9]/ {on = 0} on && $1 ~ /^[0-9A-F]+$/ && $1 ~ /E8$/ {n++}
	    END {print n + 0}' /proc/net/igmp
}
# (/proc/net/mcfilter shortens device names: match the index)
r0idx=$(nsx $NS_R ip -o link show dev ${p}r0 | cut -d: -f1)
mcfilter_srcs() {
	nsx $NS_R awk -v i="$r0idx" '$1 == i && $3 == "0xe8010101" {n++}
	    END {print n + 0}' /proc/net/mcfilter
}
mcfilter_at_least() { [ "$(mcfilter_srcs)" -ge "$1" ]; }
# 12 sources from the second set, 10.92.1.1 from the first ones; the
# joins go on one after another (slowly under a sanitizer): wait for each
# asserted count itself.
groups_at_least() { [ "$(igmp_groups)" -ge "$1" ]; }
wait_for 30 mcfilter_at_least 13 ||
    FAIL "R9: $(mcfilter_srcs) sources of 232.1.1.1 joined, 13 expected"
wait_for 30 groups_at_least 25 ||
    FAIL "R9: $(igmp_groups) groups joined, 25 expected"
echo "ok: $(igmp_groups) groups and $(mcfilter_srcs) sources of one group joined"

# R12: over the tunnel MTU (600: 570 octets of datagram per message).
src -S 10.92.1.1 -T 0x03 -f -l 1000 -r 100 -c 10 -t 5
wait_for 30 stat_at_least data-fragmented 10 ||
    FAIL "R12: $(stat_of data-fragmented) datagrams fragmented, 10 expected"
# (every first fragment in the capture before it is read)
wait_for 30 pcap_at_least 20 'amt.type == 6 && ip.flags.mf == 1'
big=$(tshark -r "$tmp/gw.pcap" -d udp.port==2268,amt -Y 'amt.type == 6 && frame.len > 614' \
    2>/dev/null | wc -l)
[ "$big" = 0 ] || FAIL "R12: $big Data messages over the tunnel MTU"
frags=$(tshark -r "$tmp/gw.pcap" -d udp.port==2268,amt \
    -Y 'amt.type == 6 && ip.flags.mf == 1' 2>/dev/null | wc -l)
[ "$frags" -ge 20 ] || FAIL "R12: $frags first fragments seen at gateways"
badhdr=$(tshark -r "$tmp/gw.pcap" -d udp.port==2268,amt \
    -o ip.check_checksum:TRUE -Y 'amt.type == 6 && ip.checksum.status == 0' \
    2>/dev/null | wc -l)
[ "$badhdr" = 0 ] || FAIL "R12: $badhdr fragments with a bad header checksum"
whole=$(tshark -r "$tmp/gw.pcap" -d udp.port==2268,amt \
    -o udp.check_checksum:TRUE -Y 'udp.length == 1008 && udp.checksum.status == 1' \
    2>/dev/null | wc -l)
[ "$whole" -ge 20 ] || FAIL "R12: $whole fragmented datagrams reassemble with a good checksum"
# R15: every fragment to the E gateway carries the datagram's CE outside.
tshark -r "$tmp/gw.pcap" -d udp.port==2268,amt -T fields -e udp.dstport \
    -e ip.dsfield.ecn -Y 'amt.type == 6 && (ip.flags.mf == 1 ||
    ip.frag_offset > 0)' >"$tmp/frag.txt" 2>/dev/null
efrag=$(awk -F'\t' '{ split($1, pt, ","); split($2, e, ",");
	if (pt[1] == 21200) { if (e[1] == 3 && e[2] == 3) ok++; else bad++ }
	else if (e[1] != 0) bad++ } END { print ok + 0, bad + 0 }' "$tmp/frag.txt")
[ "$efrag" = "20 0" ] || FAIL "R15: fragments to the E gateway with CE, wrong: $efrag"
src -S 10.92.1.1 -F -l 1000 -r 100 -c 5 -t 5
wait_for 30 stat_at_least data-too-big 5 ||
    FAIL "R12: $(stat_of data-too-big) DF datagrams dropped, 5 expected"
wait_for 30 sh -c "tshark -r '$tmp/src.pcap' -Y \
    'icmp.type == 3 && icmp.code == 4 && icmp.mtu == 570' 2>/dev/null |
    grep -q ." || FAIL "R12: no ICMP fragmentation needed (MTU 570) at the source"
echo "ok: fragmented $(stat_of data-fragmented), too big $(stat_of data-too-big) with ICMP"

# R15: a reload to `ecn no` (compatibility mode) zeroes the outer ECN
# to the E gateway too (inner UDP length 308 marks this stream).
printf 'ecn no\nstate-file none\n' >"$tmp/relay.conf"
nsx $NS_R "$AMTCTL" -S "$tmp/ctl" reload >/dev/null || FAIL "reload"
before=$(field total "$tmp/ecn")
src -S 10.92.1.1 -T 0x03 -l 300 -r 200 -c 20 -t 10
wait_for 30 at_least total "$tmp/ecn" $((before + 20)) ||
    FAIL "R15: E gateway got $(field total "$tmp/ecn") of $((before + 20))"
wait_for 30 pcap_at_least 20 'amt.type == 6 && udp.length == 308 &&
    udp.dstport == 21200'
nocopy=$(tshark -r "$tmp/gw.pcap" -d udp.port==2268,amt -T fields \
    -e udp.dstport -e ip.dsfield.ecn -Y 'amt.type == 6 && udp.length == 308' \
    2>/dev/null | awk -F'\t' '{ split($1, pt, ","); split($2, e, ",");
	if (e[2] != 3) next; if (e[1] != 0) bad++; else if (pt[1] == 21200) ok++ }
	END { print ok + 0, bad + 0 }')
[ "$nocopy" = "20 0" ] || FAIL "R15: ecn no: (E gateway ok, wrong) = $nocopy"
echo "ok: ECN copied on fragments; none after a reload to ecn no"

# R16: SIGTERM leaves every group and exits.
kill -TERM $relaypid
wait_for 30 sh -c "! kill -0 $relaypid 2>/dev/null" || FAIL "R16: relay still running"
[ "$(igmp_groups)" = 0 ] || FAIL "R16: $(igmp_groups) groups still joined"
wait $relaypid; rc=$?
grep -q "stopped" "$tmp/relay.log" || FAIL "R16: no clean stop in the log"
if grep -E "Sanitizer|runtime error" "$tmp/relay.log" >/dev/null || [ $rc != 0 ]; then
	tail -30 "$tmp/relay.log"; FAIL "relay exit status $rc"
fi
echo "ok: relay stopped, no group joined"
exit 0
