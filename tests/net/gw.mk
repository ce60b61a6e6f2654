# End-to-end gateway scenarios (network namespaces), their traffic
# programs, the README demo and the gateway benchmarks.
check_PROGRAMS += tests/net/gwtest-send tests/net/gwtest-recv
tests_net_gwtest_send_SOURCES = tests/net/gwtest-send.c \
	tests/net/gwtest-common.c tests/net/gwtest-common.h
tests_net_gwtest_send_LDADD = lib/libamt.la
tests_net_gwtest_recv_SOURCES = tests/net/gwtest-recv.c \
	tests/net/gwtest-common.c tests/net/gwtest-common.h
tests_net_gwtest_recv_LDADD = lib/libamt.la

# The multicast routing probe of gw-lan.sh and the shim that fakes a
# kernel without multicast routing (AMT_TEST_NO_MROUTE=1).  Neither has
# the sanitizers: the shim is preloaded into the probe, and a sanitizer
# runtime wants to be the first library of a process.
check_PROGRAMS += tests/net/mroute-probe tests/net/no-mroute.so
tests_net_mroute_probe_SOURCES = tests/net/mroute-probe.c
tests_net_mroute_probe_CFLAGS = -Wall -Wextra
tests_net_mroute_probe_LDFLAGS =
tests_net_no_mroute_so_SOURCES = tests/net/no-mroute.c
tests_net_no_mroute_so_CFLAGS = -Wall -Wextra -fPIC
tests_net_no_mroute_so_LDFLAGS = -shared
# (linked by the compiler: libtool builds no shared objects here)
tests_net_no_mroute_so_LINK = $(CCLD) $(tests_net_no_mroute_so_CFLAGS) \
	$(CFLAGS) $(tests_net_no_mroute_so_LDFLAGS) $(LDFLAGS) -o $@

GW_SCENARIOS = tests/net/gw-tun.sh tests/net/gw-families.sh \
	tests/net/gw-joins.sh tests/net/gw-kill.sh tests/net/gw-restart.sh \
	tests/net/gw-nat.sh tests/net/gw-lan.sh \
	tests/net/gw-limit.sh tests/net/gw-ecn.sh tests/net/gw-hostile.sh
TESTS += $(GW_SCENARIOS)
EXTRA_DIST += $(GW_SCENARIOS) tests/net/e2e.sh \
	tests/net/hostile-relay.py tests/net/hostile-listen.py \
	tests/bench/gateway-decap tests/bench/join-latency

# Benchmarks: not part of make check (they take minutes and print numbers
# rather than pass/fail).
bench-gateway: $(sbin_PROGRAMS) $(bin_PROGRAMS) tests/net/gwtest-send \
	tests/net/gwtest-recv
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(top_srcdir)/tests/bench/gateway-decap
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(top_srcdir)/tests/bench/join-latency
.PHONY: bench-gateway
