#!/bin/sh
# covers: G5 G9 R13
#
# A relay that dies (SIGKILL) under a 1000 packets/s stream and starts
# again 2 s later, a gateway with its default options (-r, the relay as
# discovery address), three cases:
#  1. with its state file: the relay restores the tunnel and forwards at
#     once (same MAC secrets), the gateway need not notice;
#  2. without (--state-file none): the gateway notices the silence,
#     probes (Requests at 250 ms, 500 ms, 1 s ...), gets a Query of the
#     new relay and sends its state again;
#  3. with a corrupted file: one log line, the relay starts empty, and
#     recovers as in 2.
# The outage of each is the longest run of sequence numbers the receiver
# missed (1 ms each): printed, and held to generous bounds only.
#
#   [src] s0 10.1.0.1 -- up0 [relay] br0 10.2.0.1 -- g0 10.2.0.11 [gw1]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"

e2e_setup relay-crash
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
G=232.1.11.1
SF=$E2E_TMP/relay.state
RATE=1000

e2e_send "$NS_SRC" send -g "$G" -s "$S4" -i s0 -r "$RATE" -l 200

# sf_has_tunnel: the state file holds more than its header (97 octets).
sf_has_tunnel() { [ "$(stat -c %s "$SF" 2>/dev/null || echo 0)" -gt 150 ]; }

# crash NAME MAX-SECONDS [corrupt] -- RELAY-ARGS...
crash()
{
	_n=$1 _max=$2 _corrupt=$3
	shift 4
	rm -f "$SF"
	e2e_relay "$NS_RELAY" up0 -a "$R4" "$@"
	e2e_gw "$NS_GW" "gw-$_n" -r "$R4"
	e2e_recv "$NS_GW" "r-$_n" -g "$G" -s "$S4"
	e2e_wait 30 e2e_stat_ge "r-$_n" unique 1000 ||
		FAIL "$_n: no data before the crash"
	case "$*" in *"$SF"*)
		e2e_wait 10 sf_has_tunnel ||
			FAIL "$_n: no tunnel in the state file" ;;
	esac
	kill -KILL "$RELAY_PID"
	wait "$RELAY_PID" 2>/dev/null
	[ "$_corrupt" = corrupt ] &&
		printf '\377' | dd of="$SF" bs=1 seek=120 conv=notrunc 2>/dev/null
	# The relay stays away 2 s: that is the scenario, not a wait.
	sleep 2
	_n0=$(e2e_stat "r-$_n" unique)
	e2e_relay "$NS_RELAY" up0 -a "$R4" "$@"
	e2e_wait 30 e2e_stat_ge "r-$_n" unique $((_n0 + 2 * RATE)) ||
		FAIL "$_n: data did not come back"
	_gap=$(e2e_stat "r-$_n" maxgap)
	_out=$(awk -v g="$_gap" -v r="$RATE" 'BEGIN { printf "%.2f", g / r }')
	e2e_log "outage $_n: $_out s"
	echo "$_n $_out" >>"${RELAY_RESTART_OUT:-/dev/null}"
	awk -v o="$_out" -v m="$_max" 'BEGIN { exit !(o <= m) }' ||
		FAIL "$_n: outage $_out s, more than $_max s"
	e2e_stop "$RECV_PID" "$GW_PID" "$RELAY_PID"
}

crash state-file 6 "" -- --state-file "$SF"
grep -q "state file $SF: 1 tunnels restored" "$E2E_TMP/relay.log" ||
	FAIL "the relay did not say it restored the tunnel"
crash no-state-file 8 "" -- --state-file none
crash corrupt-file 8 corrupt -- --state-file "$SF"
grep -q "state file $SF: checksum mismatch (corrupt): ignored, starting empty" \
    "$E2E_TMP/relay.log" || FAIL "no log line for the corrupted file"
OK "relay SIGKILL 2 s: outages printed above"
