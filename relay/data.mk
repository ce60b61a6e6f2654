# amtrelayd data plane: upstream joins, capture, forwarding (R9 R10 R12
# R15 R16), and the relay fan-out benchmark (`make bench`, not part of
# `make check`: it needs root and minutes).
relay_amtrelayd_SOURCES += relay/data.h relay/forward.c relay/replicate.c relay/batch.c \
	relay/mtu.c relay/upstream.c relay/capture.c

noinst_PROGRAMS += tests/bench/bench-gw tests/bench/bench-send
tests_bench_bench_gw_SOURCES = tests/bench/bench-gw.c
tests_bench_bench_gw_LDADD = lib/libamt.la
tests_bench_bench_send_SOURCES = tests/bench/bench-send.c
tests_bench_bench_send_LDADD = lib/libamt.la
EXTRA_DIST += tests/bench/relay-fanout tests/net/relay-fwd.sh
TESTS += tests/net/relay-fwd.sh

BENCH_N ?= 1 100 10000
bench: relay/amtrelayd tools/amtctl tests/bench/bench-gw \
    tests/bench/bench-send
	top_builddir='$(abs_top_builddir)' BENCH_N='$(BENCH_N)' \
	    $(SHELL) $(top_srcdir)/tests/bench/relay-fanout
.PHONY: bench

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_forward
TESTS += tests/unit/test_forward
tests_unit_test_forward_SOURCES = tests/unit/test_forward.c \
	relay/forward.c relay/replicate.c relay/batch.c relay/mtu.c relay/upstream.c \
	relay/relay.h relay/data.h
tests_unit_test_forward_CFLAGS = $(AMT_UNIT_CFLAGS) -I$(top_srcdir)/relay
tests_unit_test_forward_LDADD = $(AMT_UNIT_LIBS) $(LIBEVENT_LIBS)
endif
