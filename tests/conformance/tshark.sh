#!/bin/sh
# covers: Q6 W1 W4 W5 W6 W7 W9
#
# Conformance of our AMT messages with Wireshark's AMT dissector.
# mkpcap encodes every message type with the library (both outer
# families, IGMP and MLD inside each, with and without G, L, P, E),
# wraps each in IP + UDP port 2268 with a valid checksum, and prints the
# fields tshark must show for each packet.  This script checks that
# tshark shows exactly those (type, flags, nonce, MAC, relay address,
# gateway port and address, inner IGMP/MLD type, UDP ports and lengths)
# and reports no malformed packet, no expert error, no bad checksum.
#
# tshark labels the Request P flag backwards (RFC 7450 5.1.3.4: P = 0
# asks for IGMPv3; doc/conformance.md Q6): the bit
# is compared (amt.request.p as 0/1), never the label.  tshark has no
# field for the E flag (RFC 9601); it shows in amt.request.reserved
# (octet 1 & 0xfe, shifted), which is compared instead.
set -u

top_builddir=${top_builddir:-.}
TSHARK=${TSHARK:-}
[ -n "$TSHARK" ] || TSHARK=$(command -v tshark 2>/dev/null) || true
if [ -z "$TSHARK" ] || [ ! -x "$TSHARK" ]; then
	echo "SKIP: tshark not found"
	exit 77
fi
MKPCAP=$top_builddir/tests/conformance/mkpcap
[ -x "$MKPCAP" ] || { echo "FAIL: $MKPCAP not built"; exit 99; }

work=$(mktemp -d "${TMPDIR:-/tmp}/amt-tshark.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT INT TERM

fail() {
	echo "FAIL: $*"
	exit 1
}

ts() {
	"$TSHARK" -n -r "$work/amt.pcap" -d udp.port==2268,amt \
	    -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE "$@" \
	    2>"$work/tshark.err"
}

# Hex numbers compared by value: tshark pads the 48-bit MAC to 16 digits.
normalize() {
	awk -F '\t' 'BEGIN { OFS = "\t" } {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^0x[0-9a-f]+$/) {
				sub(/^0x0*/, "0x", $i)
				if ($i == "0x")
					$i = "0x0"
			}
		print
	}' "$1"
}

"$MKPCAP" "$work/amt.pcap" >"$work/expected" || fail "mkpcap"
n=$(wc -l <"$work/expected")
[ "$n" -gt 40 ] || fail "mkpcap wrote only $n packets"

ts -T fields -e amt.type -e amt.request.p -e amt.request.reserved \
    -e amt.membership_query.l -e amt.membership_query.g \
    -e amt.discovery_nonce -e amt.request_nonce -e amt.response_mac \
    -e amt.relay_address.ipv4 -e amt.relay_address.ipv6 \
    -e amt.gateway.port_number -e amt.gateway.ip_address \
    -e igmp.type -e icmpv6.type -e udp.dstport -e udp.length \
    >"$work/got" || { cat "$work/tshark.err"; fail "tshark failed"; }
normalize "$work/expected" >"$work/expected.n"
normalize "$work/got" >"$work/got.n"
if ! diff -u "$work/expected.n" "$work/got.n"; then
	echo "fields: type p reserved(E) l g dnonce rnonce mac relay4 relay6" \
	    "gwport gwaddr igmp icmpv6 dport ulen"
	fail "tshark decodes our messages differently (diff above)"
fi
echo "ok: $n packets, every field as encoded"

# Every packet is AMT with a good outer UDP checksum.
amt=$(ts -Y 'amt && udp.checksum.status == 1' | wc -l)
[ "$amt" -eq "$n" ] || fail "$amt of $n packets are AMT with a good checksum"

# No malformed packet, no expert error, no bad checksum at any layer.
bad='_ws.malformed || _ws.expert.severity >= error ||
    udp.checksum.status == 0 || ip.checksum.status == 0 ||
    igmp.checksum.status == 0 || icmpv6.checksum.status == 0'
ts -Y "$bad" >"$work/bad" || { cat "$work/tshark.err"; fail "tshark -Y"; }
if [ -s "$work/bad" ]; then
	cat "$work/bad"
	fail "tshark reports errors"
fi
echo "ok: no malformed packet, no expert error, no bad checksum"
exit 0
