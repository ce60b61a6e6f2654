# amtgwd operations scenarios: init script and daemonized path, reload
# under traffic, privilege drop, /metrics.  ops-gw-lib.sh holds their
# helpers (syslog socket, private /dev, strict /metrics parser).
OPS_GW_SCENARIOS = tests/net/ops-gw-daemon.sh tests/net/ops-gw-stream.sh
TESTS += $(OPS_GW_SCENARIOS)
EXTRA_DIST += $(OPS_GW_SCENARIOS) tests/net/ops-gw-lib.sh
