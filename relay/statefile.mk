# amtrelayd's state file (relay/statefile*.c): tunnels and MAC secrets
# kept across restarts; the fuzz target of its reader; the relay loss and
# restart scenarios and their benchmark table (make bench).
relay_amtrelayd_SOURCES += relay/statefile.c relay/statefile_read.c \
	relay/statefile_restore.c relay/statefile.h relay/statefile_priv.h

FUZZ_TARGETS += tests/fuzz/fuzz_statefile
check_PROGRAMS += tests/fuzz/fuzz_statefile
tests_fuzz_fuzz_statefile_SOURCES = tests/fuzz/fuzz_statefile.c \
	relay/statefile_read.c relay/statefile.h $(FUZZ_DRIVER)
tests_fuzz_fuzz_statefile_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/relay
tests_fuzz_fuzz_statefile_LDADD = lib/libamt.la $(LIBSODIUM_LIBS)
tests_fuzz_fuzz_statefile_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

RESTART_SCENARIOS = tests/net/relay-crash.sh tests/net/relay-restart.sh
TESTS += $(RESTART_SCENARIOS)
EXTRA_DIST += $(RESTART_SCENARIOS) tests/bench/relay-restart

# make bench: the outages of relay-crash.sh and relay-restart.sh as a table.
bench: bench-restart
bench-restart: $(sbin_PROGRAMS) $(bin_PROGRAMS) tests/net/gwtest-send \
	tests/net/gwtest-recv
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(top_srcdir)/tests/bench/relay-restart
.PHONY: bench-restart
