# The container images (Dockerfile): built from the tree with podman and
# run in network namespaces (tests/containers/e2e.sh; it skips where
# podman cannot run).
TESTS += tests/containers/e2e.sh
EXTRA_DIST += Dockerfile .dockerignore tests/containers/e2e.sh \
	tests/containers/podman.sh
