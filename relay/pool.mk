# A relay of a pool (relay/announce.c, drain.c, discif.c): the discovery
# interface announced by a routing daemon, the drain; the scenario with
# three relays behind BGP anycast (BIRD) and the example configurations.
relay_amtrelayd_SOURCES += relay/announce.c relay/drain.c relay/discif.c \
	relay/pool.h

# Not in make check yet: a gateway discovering over IPv6 sometimes gets
# no answer for 10 s or more after its relay goes (3 runs in 19); run it
# with `make check-pool` until that is understood.
POOL_SCENARIOS = tests/net/relay-pool.sh
check-pool: all $(check_PROGRAMS)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(POOL_SCENARIOS)'
.PHONY: check-pool
EXTRA_DIST += $(POOL_SCENARIOS) doc/relay-pool.md \
	doc/examples/bird-relay.conf doc/examples/bird-router.conf \
	doc/examples/frr-relay.conf
