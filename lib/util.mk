# Utility half of the library: addresses, Response MAC and nonces,
# logging, the control socket.  Their unit tests and the control-line
# fuzz target.
lib_libamt_la_SOURCES += lib/addr.c lib/mac.c lib/log.c lib/ctl.c
