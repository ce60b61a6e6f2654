# The library's public headers and its cursor.
dist_noinst_HEADERS += include/amt/buf.h include/amt/addr.h \
	include/amt/wire.h include/amt/mcast.h include/amt/cksum.h \
	include/amt/mac.h include/amt/log.h include/amt/ctl.h \
	include/amt/clock.h include/amt/ecn.h
lib_libamt_la_SOURCES += lib/buf.c
