# End-to-end gateway scenarios (network namespaces), their traffic
# programs, the README demo and the gateway benchmarks.
check_PROGRAMS += tests/net/gwtest-send tests/net/gwtest-recv
tests_net_gwtest_send_SOURCES = tests/net/gwtest-send.c \
	tests/net/gwtest-common.c tests/net/gwtest-common.h
tests_net_gwtest_send_LDADD = lib/libamt.la
tests_net_gwtest_recv_SOURCES = tests/net/gwtest-recv.c \
	tests/net/gwtest-common.c tests/net/gwtest-common.h
tests_net_gwtest_recv_LDADD = lib/libamt.la

GW_SCENARIOS = tests/net/gw-tun.sh tests/net/gw-families.sh \
	tests/net/gw-joins.sh tests/net/gw-kill.sh tests/net/gw-restart.sh \
	tests/net/gw-nat.sh tests/net/gw-lan.sh \
	tests/net/gw-limit.sh tests/net/gw-ecn.sh
TESTS += $(GW_SCENARIOS)
EXTRA_DIST += $(GW_SCENARIOS) tests/net/e2e.sh \
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
