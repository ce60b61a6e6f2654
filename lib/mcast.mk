# (owned by its part of the tree)
# IGMP/MLD (parse and build) and Internet checksums.
lib_libamt_la_SOURCES += lib/mcast.c lib/igmp.c lib/mld.c lib/cksum.c \
	lib/mcast_priv.h
