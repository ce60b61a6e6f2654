# Operations half of the library: the option table for command line and
# configuration files, daemon life (detach, pid file, privilege drop,
# readiness), the Prometheus /metrics listener; their tests, the config
# line fuzz target, the conf(5) pages, example configs and init files.
dist_noinst_HEADERS += include/amt/conf.h include/amt/daemon.h \
	include/amt/metrics.h include/amt/html.h lib/conf_priv.h
lib_libamt_la_SOURCES += lib/conf.c lib/conf_value.c lib/conf_log.c lib/daemon.c lib/signals.c \
	lib/pidfile.c lib/privdrop.c lib/metrics.c lib/html.c \
	lib/html_status.c

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_conf tests/unit/test_daemon \
	tests/unit/test_metrics tests/unit/test_html
TESTS += tests/unit/test_conf tests/unit/test_daemon tests/unit/test_metrics \
	tests/unit/test_html
tests_unit_test_html_CFLAGS = $(AMT_UNIT_CFLAGS)
tests_unit_test_html_LDADD = $(AMT_UNIT_LIBS) $(LIBEVENT_LIBS)
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

# Init files, made from templates with the configured paths: systemd
# units and SysV scripts (one template for both daemons), installed
# under $(datadir)/amt/init for the packager or administrator to copy.
amtinitdir = $(datadir)/amt/init
amtinit_DATA = init/amtrelayd.service init/amtgwd.service
amtinit_SCRIPTS = init/amtrelayd.init init/amtgwd.init
EXTRA_DIST += init/amtrelayd.service.in init/amtgwd.service.in \
	init/amt.init.in tests/init/verify-units.sh tests/init/sysv-script.sh \
	tests/init/stub-daemon.sh
CLEANFILES += $(amtinit_DATA) $(amtinit_SCRIPTS)
TESTS += tests/init/verify-units.sh tests/init/sysv-script.sh

amt_init_subst = sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g'
init/amtrelayd.service: $(srcdir)/init/amtrelayd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) init && \
	$(amt_init_subst) $(srcdir)/init/amtrelayd.service.in >$@
init/amtgwd.service: $(srcdir)/init/amtgwd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) init && \
	$(amt_init_subst) $(srcdir)/init/amtgwd.service.in >$@
init/amtrelayd.init: $(srcdir)/init/amt.init.in Makefile
	$(AM_V_GEN)$(MKDIR_P) init && $(amt_init_subst) \
	    -e 's|@NAME[@]|amtrelayd|g' -e 's|@DESC[@]|AMT relay|g' \
	    $(srcdir)/init/amt.init.in >$@ && chmod +x $@
init/amtgwd.init: $(srcdir)/init/amt.init.in Makefile
	$(AM_V_GEN)$(MKDIR_P) init && $(amt_init_subst) \
	    -e 's|@NAME[@]|amtgwd|g' -e 's|@DESC[@]|AMT gateway|g' \
	    $(srcdir)/init/amt.init.in >$@ && chmod +x $@

# Configuration file pages and example configurations.
conf5dir = $(mandir)/man5
dist_conf5_DATA = doc/amtrelayd.conf.5 doc/amtgwd.conf.5
amtexamplesdir = $(docdir)/examples
dist_amtexamples_DATA = doc/examples/amtrelayd.conf doc/examples/amtgwd.conf
EXTRA_DIST += doc/docker.md
