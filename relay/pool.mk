# A relay of a pool (relay/announce.c, drain.c, discif.c): the discovery
# interface announced by a routing daemon, the drain; the scenario with
# three relays behind BGP anycast (BIRD), the same with FRR on the relay
# hosts, and the example configurations.
relay_amtrelayd_SOURCES += relay/announce.c relay/drain.c relay/discif.c \
	relay/pool.h

# `make check-pool` runs the pool scenarios alone.
POOL_SCENARIOS = tests/net/relay-announce.sh tests/net/relay-pool.sh \
	tests/net/relay-pool-frr.sh
TESTS += $(POOL_SCENARIOS)
check-pool: all $(check_PROGRAMS)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(POOL_SCENARIOS)'
.PHONY: check-pool
EXTRA_DIST += $(POOL_SCENARIOS) tests/net/pool-lib.sh doc/relay-pool.md \
	doc/examples/bird-relay.conf doc/examples/bird-router.conf \
	doc/examples/frr-relay.conf
