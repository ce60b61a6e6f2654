# Prometheus rules (doc/prometheus) and the Grafana dashboard
# (doc/grafana): promtool check and test, the dashboard's structure.
TESTS += tests/monitoring/rules.sh
EXTRA_DIST += tests/monitoring/rules.sh tests/monitoring/names.py \
	doc/prometheus/amt-rules.yml doc/prometheus/amt-rules.test.yml \
	doc/grafana/amt-dashboard.json
