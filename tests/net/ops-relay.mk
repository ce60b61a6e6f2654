# Operations scenarios of amtrelayd: daemon life through the
# SysV init script and the daemonized path, reload under traffic,
# privilege drop, /metrics.
OPS_RELAY_SCENARIOS = tests/net/ops-relay-daemon.sh \
	tests/net/ops-relay-reload.sh
TESTS += $(OPS_RELAY_SCENARIOS)
EXTRA_DIST += $(OPS_RELAY_SCENARIOS)
