# Fuzz targets.  Each target is tests/fuzz/fuzz_NAME.c with a seed corpus
# in tests/fuzz/corpus/NAME/.  Without --enable-fuzzing the targets link a
# small driver (replay.c) that runs LLVMFuzzerTestOneInput over files, so
# `make check` replays every corpus with any compiler; with
# --enable-fuzzing (clang) they are libFuzzer binaries and `make fuzz`
# runs each one for FUZZ_TIME seconds.
FUZZ_TIME ?= 120
TESTS += tests/fuzz/replay.sh
EXTRA_DIST += tests/fuzz/replay.sh tests/fuzz/run.sh tests/fuzz/corpus

fuzz: $(FUZZ_TARGETS)
	FUZZ_TIME=$(FUZZ_TIME) top_srcdir='$(abs_top_srcdir)' \
	    $(SHELL) $(top_srcdir)/tests/fuzz/run.sh $(FUZZ_TARGETS)
.PHONY: fuzz
