/*
 * The entry points of amt/mcast.h that pick IGMP (igmp.c) or MLD (mld.c)
 * by family, and names for logs.  What both share below them is in
 * mrec.c.
 */
#include <netinet/in.h>
#include <string.h>

#include "amt/buf.h"
#include "amt/mcast.h"
#include "mcast_priv.h"
#include "mrec.h"

int
mcast_report_parse(const uint8_t *p, size_t len, struct mcast_report *r)
{
	memset(r, 0, sizeof(*r));
	if (p == NULL || len < 1)
		return MCAST_ERR_SHORT;
	switch (p[0] >> 4) {
	case 4:
		return igmp_report_parse(p, len, r);
	case 6:
		return mld_report_parse(p, len, r);
	}
	return MCAST_ERR_IPHDR;
}

int
mcast_query_parse(const uint8_t *p, size_t len, struct mcast_query *q)
{
	memset(q, 0, sizeof(*q));
	if (p == NULL || len < 1)
		return MCAST_ERR_SHORT;
	switch (p[0] >> 4) {
	case 4:
		return igmp_query_parse(p, len, q);
	case 6:
		return mld_query_parse(p, len, q);
	}
	return MCAST_ERR_IPHDR;
}

ssize_t
mcast_build_query(const struct mcast_query_params *p, void *out,
    size_t cap)
{
	if (p->src.family == AF_INET6)
		return mld_build_query(p, out, cap);
	if (p->src.family == AF_INET)
		return igmp_build_query(p, out, cap);
	return MCAST_ERR_IPHDR;
}

ssize_t
mcast_build_report(const struct amt_ip *src, const struct mcast_record *recs,
    size_t nrec, void *out, size_t cap)
{
	if (src->family == AF_INET6)
		return mld_build_report(src, recs, nrec, out, cap);
	if (src->family == AF_INET)
		return igmp_build_report(src, recs, nrec, out, cap);
	return MCAST_ERR_IPHDR;
}

ssize_t
mcast_build_v1report(const struct amt_ip *src, const struct amt_ip *group,
    bool leave, void *out, size_t cap)
{
	if (src->family != group->family ||
	    !mrec_is_group(group->family, group->u.b))
		return MCAST_ERR_TYPE;
	if (src->family == AF_INET6)
		return mld_build_v1report(src, group, leave, out, cap);
	if (src->family == AF_INET)
		return igmp_build_v2report(src, group, leave, out, cap);
	return MCAST_ERR_IPHDR;
}

const char *
mcast_strerror(int err)
{
	switch (err) {
	case MCAST_OK:
		return "ok";
	case MCAST_ERR_SHORT:
		return "truncated packet";
	case MCAST_ERR_IPHDR:
		return "bad IP header";
	case MCAST_ERR_IPCSUM:
		return "bad IPv4 header checksum";
	case MCAST_ERR_CSUM:
		return "bad IGMP/ICMPv6 checksum";
	case MCAST_ERR_TYPE:
		return "unexpected message type or group";
	case MCAST_ERR_COUNT:
		return "count larger than the packet";
	case MCAST_ERR_NOSPACE:
		return "output buffer too small";
	}
	return "unknown error";
}

const char *
mcast_rec_name(int type)
{
	switch (type) {
	case MCAST_MODE_IS_INCLUDE:
		return "MODE_IS_INCLUDE";
	case MCAST_MODE_IS_EXCLUDE:
		return "MODE_IS_EXCLUDE";
	case MCAST_CHANGE_TO_INCLUDE:
		return "CHANGE_TO_INCLUDE";
	case MCAST_CHANGE_TO_EXCLUDE:
		return "CHANGE_TO_EXCLUDE";
	case MCAST_ALLOW_NEW_SOURCES:
		return "ALLOW_NEW_SOURCES";
	case MCAST_BLOCK_OLD_SOURCES:
		return "BLOCK_OLD_SOURCES";
	}
	return "UNKNOWN";
}
