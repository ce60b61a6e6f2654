# Operations half of the library: the option table for command line and
# configuration files, daemon life (detach, pid file, privilege drop,
# readiness), the Prometheus /metrics listener; their tests, the config
# line fuzz target, the conf(5) pages, example configs and init files.
dist_noinst_HEADERS += include/amt/conf.h include/amt/daemon.h \
	include/amt/metrics.h lib/conf_priv.h
lib_libamt_la_SOURCES += lib/conf.c lib/conf_value.c lib/daemon.c \
	lib/pidfile.c lib/privdrop.c lib/metrics.c

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_conf tests/unit/test_daemon \
	tests/unit/test_metrics
TESTS += tests/unit/test_conf tests/unit/test_daemon tests/unit/test_metrics
tests_unit_test_metrics_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_metrics_LDADD = $(AMT_UNIT_LIBS) $(LIBEVENT_LIBS)
tests_unit_test_daemon_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_daemon_LDADD = $(AMT_UNIT_LIBS)
tests_unit_test_conf_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_conf_LDADD = $(AMT_UNIT_LIBS)
endif

FUZZ_TARGETS += tests/fuzz/fuzz_conf
check_PROGRAMS += tests/fuzz/fuzz_conf
tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz_conf.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_conf_LDADD = lib/libamt.la
tests_fuzz_fuzz_conf_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
