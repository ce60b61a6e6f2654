# The Debian packages (debian/): built from a copy of the tree, checked
# with lintian, installed, run as their units run them, purged.
TESTS += tests/pkg/deb.sh
EXTRA_DIST += tests/pkg/deb.sh debian
CLEANFILES += tests/pkg/lintian.txt
