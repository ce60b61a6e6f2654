#!/bin/sh
# The container images, built and proven end to end: both images are
# built from the working tree (Dockerfile, one target per daemon) on a
# local Debian 12 base image, then the relay image runs in the relay
# namespace and the gateway image in a gateway namespace of the usual
# topology, with the least privilege doc/docker.md gives (no
# --privileged), the relay configured by arguments and the gateway by a
# mounted file.  A source and a receiver outside the containers: a
# numbered stream reaches the receiver through the tun that the gateway
# container made.  Also: image sizes (printed, bounded), the daemons run
# as the user amt with no capability left (seen from the host in
# /proc), HEALTHCHECK through amtctl, logs on stderr (podman logs), a
# clean exit on podman stop.  Skips only when podman cannot run here.
#
#   [src] s0 10.1.0.1 -- up0 [relay ns: relay container] br0 10.2.0.1
#                              |-- g0 10.2.0.11 [gw1 ns: gateway container]
#                                  amt0 (made inside), receiver outside
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/net/lib.sh"
. "$top_srcdir/tests/net/e2e.sh"
. "$top_srcdir/tests/containers/podman.sh"

MAX_MB=${AMT_CTR_MAX_MB:-120}
COUNT=1000
RATE=200
RELAY_CTR=amt-test-relay-$$
GW_CTR=amt-test-gw-$$
# The tun takes its settings from the namespace's defaults: set there,
# amtgwd finds them already right and /proc/sys can stay read-only.
GW_SYSCTLS="net.ipv4.conf.default.rp_filter=0
net.ipv4.conf.default.accept_redirects=0
net.ipv4.conf.default.force_igmp_version=3
net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.autoconf=0
net.ipv6.conf.default.accept_redirects=0
net.ipv6.conf.default.addr_gen_mode=1
net.ipv6.conf.default.force_mld_version=2"

T_START=$(date +%s)
e2e_setup ctr-e2e
ctr_cleanup_all() { rc=$?; ctr_cleanup; e2e_rc "$rc"; e2e_cleanup; }
trap ctr_cleanup_all EXIT
ctr_init

# --- images
ctr_base
ctr_build build-deps localhost/amt-cache/build-deps
ctr_build runtime localhost/amt-cache/runtime
ctr_test_image relay; RELAY_IMG=$CTR_IMAGE
ctr_test_image gateway; GW_IMG=$CTR_IMAGE
T_BUILT=$(date +%s)
for i in "$RELAY_IMG" "$GW_IMG"; do
	mb=$(ctr_size_mb "$i")
	ctr_log "image $i: $mb MB"
	[ "$mb" -le "$MAX_MB" ] || FAIL "$i is $mb MB (more than $MAX_MB)"
	[ -n "$(ctr_image_get "$i" '{{.HealthCheck}}')" ] &&
	    ctr_image_get "$i" '{{.HealthCheck}}' | grep -q amtctl ||
		FAIL "$i has no HEALTHCHECK with amtctl"
done

# --- the relay container: arguments; CAP_NET_RAW for its capture
e2e_topo 1
NS_GW=$(e2e_nsname gw1)
mkdir -p "$LIB_TMP/relay-run" "$LIB_TMP/gw-run"
ctr_run "$RELAY_CTR" --network "ns:/run/netns/$NS_RELAY" \
    --cap-drop ALL --cap-add NET_RAW --cap-add SETUID --cap-add SETGID \
    -v "$LIB_TMP/relay-run:/run" "$RELAY_IMG" -v -i up0 -a "$R4"
RELAY_SOCK=$LIB_TMP/relay-run/amtrelayd.sock
e2e_wait 30 e2e_ctl_ok "$RELAY_SOCK" || FAIL "relay container: no answer"

# --- the gateway container: a mounted file; CAP_NET_ADMIN and the tun
printf 'relay %s\ntun %s\n' "$R4" "$TUN" >"$LIB_TMP/amtgwd.conf"
chmod 644 "$LIB_TMP/amtgwd.conf"
set --
for s in $GW_SYSCTLS; do set -- "$@" --sysctl "$s"; done
ctr_run "$GW_CTR" --network "ns:/run/netns/$NS_GW" "$@" \
    --cap-drop ALL --cap-add NET_ADMIN --cap-add SETUID --cap-add SETGID \
    --device /dev/net/tun -v "$LIB_TMP/amtgwd.conf:/etc/amtgwd.conf:ro" \
    -v "$LIB_TMP/gw-run:/run" "$GW_IMG" -v -f /etc/amtgwd.conf
GW_SOCK=$LIB_TMP/gw-run/amtgwd.sock
e2e_wait 30 e2e_tun_up "$NS_GW" || FAIL "gateway container: $TUN not up"
e2e_wait 30 e2e_gw_up "$GW_SOCK" || FAIL "gateway container: no session"
T_UP=$(date +%s)

# --- least privilege, seen from the host
# ctr_check_user NAME PROGRAM: its first process is PROGRAM, runs as
# amt (not root) with no capability, and the bounding set is ours.
ctr_check_user()
{
	pid=$(ctr_pid "$1")
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] ||
		FAIL "$1: pid $pid is not $2"
	e2e_wait 10 ctr_log_has "$1" "running as" ||
		FAIL "$1: no privilege drop in its log (stderr)"
	uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
	eff=$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")
	prm=$(awk '/^CapPrm:/ { print $2 }' "/proc/$pid/status")
	bnd=$(awk '/^CapBnd:/ { print $2 }' "/proc/$pid/status")
	ctr_log "$1: $2 pid $pid uid $uids CapEff $eff CapBnd $bnd"
	set -- $uids
	[ "$1" != 0 ] && [ "$2" != 0 ] && [ "$3" != 0 ] && [ "$4" != 0 ] ||
		FAIL "$2 runs as root in its container (uids $uids)"
	[ "$eff" = 0000000000000000 ] && [ "$prm" = 0000000000000000 ] ||
		FAIL "$2 kept capabilities: CapPrm $prm CapEff $eff"
	[ "$bnd" = "$CTR_BND" ] || FAIL "$2: bounding set $bnd, not $CTR_BND"
}
# CAP_SETGID 6, CAP_SETUID 7, CAP_NET_ADMIN 12, CAP_NET_RAW 13.
CTR_BND=00000000000020c0 ctr_check_user "$RELAY_CTR" amtrelayd
CTR_BND=00000000000010c0 ctr_check_user "$GW_CTR" amtgwd
pid=$(ctr_pid "$GW_CTR")
grep -qs "^iff:[[:space:]]*$TUN\$" /proc/"$pid"/fdinfo/* ||
	FAIL "the gateway container does not hold $TUN"
for c in "$RELAY_CTR" "$GW_CTR"; do
	! grep -i "cannot set\|read-only" "$LIB_TMP/$c.log" ||
		FAIL "$c: a setting it needs was refused"
	podman healthcheck run "$c" >"$LIB_TMP/health-$c.log" 2>&1 ||
		FAIL "$c: HEALTHCHECK fails: $(cat "$LIB_TMP/health-$c.log")"
done

# --- a stream from outside through both containers to the tun
e2e_probe "$NS_SRC" "$NS_GW" "$G4" "$S4" 30 || FAIL "no data path"
e2e_recv "$NS_GW" rx -g "$G4" -s "$S4" -p 5000 -n "$COUNT" -w 60
e2e_send "$NS_SRC" tx -g "$G4" -s "$S4" -i s0 -p 5000 -n "$COUNT" \
    -r "$RATE" -l 1000
e2e_wait 60 e2e_stat_ge rx unique "$COUNT"
e2e_log "receiver: $(cat "$E2E_TMP/rx.out")"
e2e_stat_ge rx unique "$COUNT" ||
	FAIL "$(e2e_stat rx unique) of $COUNT packets reached the receiver"

# --- podman stop: SIGTERM, a clean exit (the gateway first: Teardown)
for c in "$GW_CTR" "$RELAY_CTR"; do
	podman stop -t 10 "$c" >/dev/null 2>&1 || FAIL "podman stop $c"
	rc=$(podman inspect -f '{{.State.ExitCode}}' "$c")
	[ "$rc" = 0 ] || FAIL "$c exited with $rc on SIGTERM"
done
e2e_log "times: images $((T_BUILT - T_START)) s, up $((T_UP - T_BUILT)) s," \
    "total $(( $(date +%s) - T_START )) s"
OK "both images built ($(ctr_size_mb "$RELAY_IMG") MB, $(ctr_size_mb \
    "$GW_IMG") MB); $COUNT packets through the containers; non-root"
