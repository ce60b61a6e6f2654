/*
 * Per-tunnel IGMPv3/MLDv2 router state (relay/membership.c; RFC 3376
 * 6.4, RFC 3810 7.4; R8, R14): every record type in both filter modes,
 * v1/v2 ASM join and leave through the real report parser, the
 * per-tunnel limits.
 *
 * The data plane is replaced by a recorder of the fwd_*() calls that
 * membership.c makes (the seam between control and data plane): the
 * tests check exactly which (S,G) and (*,G) entries each record adds and
 * removes, in order.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "relay.h"

#define REC_MAX		64
#define REC_LEN		128

/* The recorder: one line per fwd_*() call, "op source group". */
struct recorder {
	char	 calls[REC_MAX][REC_LEN];
	int	 n;
};

struct fixture {
	struct relayd	rd;
	struct tunnel	t;
};

/* The recorder lives in the fixture's relayd (the one context). */
static struct recorder *
rec_of(struct relayd *rd)
{
	return (struct recorder *)rd->fwd;
}

static void
rec_add(struct relayd *rd, const char *op, const struct amt_ip *s,
    const struct amt_ip *g)
{
	struct recorder	*r = rec_of(rd);
	char		 sb[INET6_ADDRSTRLEN], gb[INET6_ADDRSTRLEN];

	assert_true(r->n < REC_MAX);
	snprintf(r->calls[r->n++], REC_LEN, "%s %s %s", op,
	    s ? ip_str(s, sb, sizeof(sb)) : "*", ip_str(g, gb, sizeof(gb)));
}

int
fwd_sg_add(struct relayd *rd, const struct amt_ip *s, const struct amt_ip *g,
    struct tunnel *t)
{
	rec_add(rd, "sg_add", s, g);
	return 0;
}

void
fwd_sg_del(struct relayd *rd, const struct amt_ip *s, const struct amt_ip *g,
    struct tunnel *t)
{
	rec_add(rd, "sg_del", s, g);
}

int
fwd_g_add(struct relayd *rd, const struct amt_ip *g, struct tunnel *t)
{
	rec_add(rd, "g_add", NULL, g);
	return 0;
}

void
fwd_g_del(struct relayd *rd, const struct amt_ip *g, struct tunnel *t)
{
	rec_add(rd, "g_del", NULL, g);
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->rd.fwd = calloc(1, sizeof(struct recorder));
	f->rd.conf.max_groups = 256;
	f->rd.conf.max_sources = 1024;
	/* The R8 tests use 239/8 groups: scoped, refused by default. */
	assert_int_equal(ip_prefix_parse("239.0.0.0/8",
	    &f->rd.conf.allow_group.p[0]), 0);
	f->rd.conf.allow_group.n = 1;
	f->t.rd = &f->rd;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	membership_clear(&f->t);
	free(f->rd.fwd);
	free(f);
	return 0;
}

/* The calls recorded since the last check, then forget them. */
static void
expect_calls(struct fixture *f, ...)
{
	struct recorder	*r = rec_of(&f->rd);
	const char	*want;
	va_list		 ap;
	int		 i = 0;

	va_start(ap, f);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (i >= r->n)
			fail_msg("missing call '%s'", want);
		assert_string_equal(r->calls[i], want);
		i++;
	}
	va_end(ap);
	if (i != r->n)
		fail_msg("unexpected call '%s'", r->calls[i]);
	r->n = 0;
}

/* Apply one record: type, group, then sources, NULL-terminated. */
static void
apply(struct fixture *f, int type, const char *group, ...)
{
	struct mcast_record	rec;
	struct amt_ip		ip;
	uint8_t			srcs[32 * 16];
	const char		*s;
	va_list			ap;
	size_t			alen;

	memset(&rec, 0, sizeof(rec));
	rec.type = type;
	assert_int_equal(ip_parse(group, &rec.group), 0);
	alen = ip_len(rec.group.family);
	va_start(ap, group);
	while ((s = va_arg(ap, const char *)) != NULL) {
		assert_int_equal(ip_parse(s, &ip), 0);
		assert_true(rec.nsrc < 32);
		memcpy(srcs + rec.nsrc++ * alen, ip.u.b, alen);
	}
	va_end(ap);
	rec.srcs = srcs;
	assert_int_equal(membership_apply(&f->t, &rec), 0);
}

static bool
excludes(struct fixture *f, const char *g, const char *s)
{
	struct amt_ip	gi, si;

	assert_int_equal(ip_parse(g, &gi), 0);
	assert_int_equal(ip_parse(s, &si), 0);
	return membership_excludes(&f->t, &gi, &si);
}

#define G1	"232.1.1.1"
#define G2	"239.2.2.2"
#define S1	"10.0.0.1"
#define S2	"10.0.0.2"
#define S3	"10.0.0.3"

/* INCLUDE {} + IS_IN(A) -> INCLUDE(A): each (S,G) added. */
static void
test_R8_include_is_in_adds_sources(void **state)
{
	struct fixture	*f = *state;

	apply(f, MCAST_MODE_IS_INCLUDE, G1, S2, S1, NULL);
	expect_calls(f, "sg_add 10.0.0.1 232.1.1.1",
	    "sg_add 10.0.0.2 232.1.1.1", NULL);
	assert_int_equal(f->t.ngroups, 1);
	assert_int_equal(f->t.nsources, 2);
}

/* INCLUDE(X) + TO_IN(A) -> INCLUDE(A): +(A-X), -(X-A). */
static void
test_R8_include_to_in_replaces(void **state)
{
	struct fixture	*f = *state;

	apply(f, MCAST_MODE_IS_INCLUDE, G1, S1, S2, NULL);
	expect_calls(f, "sg_add 10.0.0.1 232.1.1.1",
	    "sg_add 10.0.0.2 232.1.1.1", NULL);
	apply(f, MCAST_CHANGE_TO_INCLUDE, G1, S2, S3, NULL);
	expect_calls(f, "sg_add 10.0.0.3 232.1.1.1",
	    "sg_del 10.0.0.1 232.1.1.1", NULL);
	assert_int_equal(f->t.nsources, 2);
}

/* INCLUDE(X) + ALLOW(A) -> INCLUDE(X+A). */
static void
test_R8_include_allow(void **state)
{
	struct fixture	*f = *state;

	apply(f, MCAST_ALLOW_NEW_SOURCES, G1, S1, NULL);
	apply(f, MCAST_ALLOW_NEW_SOURCES, G1, S1, S2, NULL);
	expect_calls(f, "sg_add 10.0.0.1 232.1.1.1",
	    "sg_add 10.0.0.2 232.1.1.1", NULL);
	assert_int_equal(f->t.nsources, 2);
}

/* INCLUDE(X) + BLOCK(A) -> INCLUDE(X-A); INCLUDE {} deletes the group. */
static void
test_R8_include_block_and_delete(void **state)
{
	struct fixture	*f = *state;

	apply(f, MCAST_MODE_IS_INCLUDE, G1, S1, S2, NULL);
	apply(f, MCAST_BLOCK_OLD_SOURCES, G1, S1, S3, NULL);
	expect_calls(f, "sg_add 10.0.0.1 232.1.1.1",
	    "sg_add 10.0.0.2 232.1.1.1", "sg_del 10.0.0.1 232.1.1.1", NULL);
	assert_int_equal(f->t.ngroups, 1);
	apply(f, MCAST_BLOCK_OLD_SOURCES, G1, S2, NULL);
	expect_calls(f, "sg_del 10.0.0.2 232.1.1.1", NULL);
	assert_int_equal(f->t.ngroups, 0);
	assert_int_equal(f->t.nsources, 0);
}

/* INCLUDE(X) + IS_EX(B) / TO_EX(B) -> EXCLUDE(B): (*,G) then -(X). */
static void
test_R8_include_to_exclude(void **state)
{
	struct fixture	*f = *state;

	apply(f, MCAST_MODE_IS_INCLUDE, G2, S1, NULL);
	apply(f, MCAST_MODE_IS_EXCLUDE, G2, S2, NULL);
	expect_calls(f, "sg_add 10.0.0.1 239.2.2.2", "g_add * 239.2.2.2",
	    "sg_del 10.0.0.1 239.2.2.2", NULL);
	assert_true(excludes(f, G2, S2));
	assert_false(excludes(f, G2, S1));
	apply(f, MCAST_CHANGE_TO_EXCLUDE, G2, S1, NULL);
	expect_calls(f, NULL);
	assert_true(excludes(f, G2, S1));
	assert_false(excludes(f, G2, S2));
}

/* EXCLUDE(X) + ALLOW(A) -> EXCLUDE(X-A); + BLOCK(A) -> EXCLUDE(X+A). */
static void
test_R8_exclude_allow_block(void **state)
{
	struct fixture	*f = *state;

	apply(f, MCAST_CHANGE_TO_EXCLUDE, G2, S1, S2, NULL);
	expect_calls(f, "g_add * 239.2.2.2", NULL);
	apply(f, MCAST_ALLOW_NEW_SOURCES, G2, S1, NULL);
	assert_false(excludes(f, G2, S1));
	assert_true(excludes(f, G2, S2));
	apply(f, MCAST_BLOCK_OLD_SOURCES, G2, S3, NULL);
	assert_true(excludes(f, G2, S3));
	/* Two excluded sources and the (*,G) itself (R14). */
	assert_int_equal(f->t.nsources, 3);
	expect_calls(f, NULL);
}

/* EXCLUDE(X) + IS_IN(A) / TO_IN(A) -> INCLUDE(A): +(A), -(*,G). */
static void
test_R8_exclude_to_include(void **state)
{
	struct fixture	*f = *state;

	apply(f, MCAST_MODE_IS_EXCLUDE, G2, S1, NULL);
	apply(f, MCAST_CHANGE_TO_INCLUDE, G2, S1, S3, NULL);
	expect_calls(f, "g_add * 239.2.2.2", "sg_add 10.0.0.1 239.2.2.2",
	    "sg_add 10.0.0.3 239.2.2.2", "g_del * 239.2.2.2", NULL);
	assert_false(excludes(f, G2, S1));
	apply(f, MCAST_MODE_IS_EXCLUDE, G2, NULL);
	apply(f, MCAST_MODE_IS_INCLUDE, G2, NULL);
	expect_calls(f, "g_add * 239.2.2.2", "sg_del 10.0.0.1 239.2.2.2",
	    "sg_del 10.0.0.3 239.2.2.2", "g_del * 239.2.2.2", NULL);
	assert_int_equal(f->t.ngroups, 0);
}

/* Groups are independent; a group absent is INCLUDE {}. */
static void
test_R8_groups_independent(void **state)
{
	struct fixture	*f = *state;

	apply(f, MCAST_MODE_IS_INCLUDE, G1, S1, NULL);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, G2, NULL);
	apply(f, MCAST_BLOCK_OLD_SOURCES, "239.9.9.9", S1, NULL);
	apply(f, MCAST_CHANGE_TO_INCLUDE, "239.9.9.8", NULL);
	expect_calls(f, "sg_add 10.0.0.1 232.1.1.1", "g_add * 239.2.2.2",
	    NULL);
	assert_int_equal(f->t.ngroups, 2);
	assert_false(excludes(f, G1, S1));
	assert_false(excludes(f, "239.9.9.9", S1));
}

/* Duplicate sources in one record count once. */
static void
test_R8_duplicate_sources(void **state)
{
	struct fixture	*f = *state;

	apply(f, MCAST_MODE_IS_INCLUDE, G1, S1, S1, S2, S1, NULL);
	expect_calls(f, "sg_add 10.0.0.1 232.1.1.1",
	    "sg_add 10.0.0.2 232.1.1.1", NULL);
	assert_int_equal(f->t.nsources, 2);
}

/* MLDv2 records: IPv6 groups and sources. */
static void
test_R8_mldv2_records(void **state)
{
	struct fixture	*f = *state;

	apply(f, MCAST_ALLOW_NEW_SOURCES, "ff3e::8000:1", "2001:db8::1",
	    NULL);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, "ff0e::1", "2001:db8::2", NULL);
	expect_calls(f, "sg_add 2001:db8::1 ff3e::8000:1", "g_add * ff0e::1",
	    NULL);
	assert_true(excludes(f, "ff0e::1", "2001:db8::2"));
	assert_false(excludes(f, "ff0e::1", "2001:db8::1"));
	/* Either argument order: the group is the multicast one. */
	assert_true(excludes(f, "2001:db8::2", "ff0e::1"));
}

/* A v1/v2 report through the real parser: one record. */
static void
v1_apply(struct fixture *f, const char *src, const char *group, bool leave)
{
	struct mcast_report	rep;
	struct mcast_record	rec;
	struct amt_ip		s, g;
	uint8_t			buf[128];
	ssize_t			n;

	assert_int_equal(ip_parse(src, &s), 0);
	assert_int_equal(ip_parse(group, &g), 0);
	n = mcast_build_v1report(&s, &g, leave, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(mcast_report_parse(buf, (size_t)n, &rep), 0);
	assert_int_equal(mcast_report_next(&rep, &rec), 1);
	assert_int_equal(membership_apply(&f->t, &rec), 0);
	assert_int_equal(mcast_report_next(&rep, &rec), 0);
}

/* IGMPv2 report = ASM join (*,G); leave = the group is gone. */
static void
test_R8_igmpv2_join_leave(void **state)
{
	struct fixture	*f = *state;

	v1_apply(f, "0.0.0.0", G2, false);
	expect_calls(f, "g_add * 239.2.2.2", NULL);
	assert_int_equal(f->t.ngroups, 1);
	v1_apply(f, "0.0.0.0", G2, true);
	expect_calls(f, "g_del * 239.2.2.2", NULL);
	assert_int_equal(f->t.ngroups, 0);
}

/* MLDv1 report = ASM join; done = leave. */
static void
test_R8_mldv1_join_done(void **state)
{
	struct fixture	*f = *state;

	v1_apply(f, "fe80::1", "ff0e::123", false);
	expect_calls(f, "g_add * ff0e::123", NULL);
	v1_apply(f, "fe80::1", "ff0e::123", true);
	expect_calls(f, "g_del * ff0e::123", NULL);
	assert_int_equal(f->t.ngroups, 0);
}

/* Link-local scope groups are never joined upstream. */
static void
test_R8_linklocal_groups_ignored(void **state)
{
	struct fixture	*f = *state;

	apply(f, MCAST_CHANGE_TO_EXCLUDE, "ff02::1:ff00:1", NULL);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, "224.0.0.251", NULL);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, "10.1.1.1", NULL);
	expect_calls(f, NULL);
	assert_int_equal(f->t.ngroups, 0);
}

/* R14b: groups outside global scope are refused by default, counted. */
static void
test_R14b_scoped_groups_refused(void **state)
{
	struct fixture	*f = *state;
	const char	*scoped[] = { "239.255.255.250", "239.255.255.253",
			    "224.0.1.1", "224.0.1.39", "224.0.0.251", "ff05::2",
			    "ff05::1:3", "ff05::fb", "ff08::1", "ff15::1",
			    "ff35:40:2001:db8::1", "ff02::1:ff00:1" };
	size_t		i;

	f->rd.conf.allow_group.n = 0;
	for (i = 0; i < sizeof(scoped) / sizeof(scoped[0]); i++)
		apply(f, MCAST_CHANGE_TO_EXCLUDE, scoped[i], NULL);
	expect_calls(f, NULL);
	assert_int_equal(f->rd.stats.refused_group_scope, i);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, "233.252.0.1", NULL);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, "ff0e::1", NULL);
	apply(f, MCAST_ALLOW_NEW_SOURCES, "ff3e::8000:1", "2001:db8::1", NULL);
	expect_calls(f, "g_add * 233.252.0.1", "g_add * ff0e::1",
	    "sg_add 2001:db8::1 ff3e::8000:1", NULL);
}

/* R14b: allow-group and deny-group, the longest prefix deciding. */
static void
test_R14b_group_lists(void **state)
{
	struct fixture	*f = *state;
	struct relay_conf *c = &f->rd.conf;

	assert_int_equal(ip_prefix_parse("232.0.0.0/8", &c->deny_group.p[0]),
	    0);
	assert_int_equal(ip_prefix_parse("232.1.0.0/16", &c->allow_group.p[1]),
	    0);
	assert_int_equal(ip_prefix_parse("239.9.0.0/16", &c->deny_group.p[1]),
	    0);
	c->deny_group.n = 2;
	c->allow_group.n = 2;
	apply(f, MCAST_ALLOW_NEW_SOURCES, "232.2.2.2", S1, NULL);
	apply(f, MCAST_ALLOW_NEW_SOURCES, "232.1.2.2", S1, NULL);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, "239.9.1.1", NULL);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, "239.8.1.1", NULL);
	expect_calls(f, "sg_add 10.0.0.1 232.1.2.2", "g_add * 239.8.1.1",
	    NULL);
	assert_int_equal(f->rd.stats.refused_group_policy, 2);
}

/* R14b: sources that cannot be real, and the relay's own, are refused. */
static void
test_R14b_bogus_sources_refused(void **state)
{
	struct fixture	*f = *state;
	struct amt_ip	 own;

	assert_int_equal(ip_parse("192.0.2.7", &own), 0);
	f->rd.conf.relay_addr4 = own;
	apply(f, MCAST_ALLOW_NEW_SOURCES, G1, "127.0.0.1", "0.0.0.0",
	    "224.1.1.1", "255.255.255.255", "240.0.0.1", "192.0.2.7", S1,
	    NULL);
	apply(f, MCAST_ALLOW_NEW_SOURCES, "ff3e::1", "::", "::1", "ff0e::1",
	    "fe80::1", "::ffff:10.0.0.1", "2001:db8::1", NULL);
	expect_calls(f, "sg_add 10.0.0.1 232.1.1.1",
	    "sg_add 2001:db8::1 ff3e::1", NULL);
	assert_int_equal(f->rd.stats.refused_source_invalid, 11);
	assert_int_equal(f->t.nsources, 2);
}

/* R14b: with allow-source only those sources, and no ASM at all. */
static void
test_R14b_allow_source(void **state)
{
	struct fixture	*f = *state;

	assert_int_equal(ip_prefix_parse("10.0.0.2/32",
	    &f->rd.conf.allow_source.p[0]), 0);
	f->rd.conf.allow_source.n = 1;
	apply(f, MCAST_ALLOW_NEW_SOURCES, G1, S1, S2, NULL);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, G2, NULL);
	expect_calls(f, "sg_add 10.0.0.2 232.1.1.1", NULL);
	assert_int_equal(f->rd.stats.refused_source_policy, 2);
}

/*
 * R10, R14: an EXCLUDE list over max-sources is never cut (a cut-off
 * source would be forwarded): the group is dropped, counted.  (*,G)
 * counts against max-sources as an (S,G) does.
 */
static void
test_R14d_exclude_over_limit(void **state)
{
	struct fixture	*f = *state;

	f->rd.conf.max_sources = 3;
	apply(f, MCAST_CHANGE_TO_EXCLUDE, G2, S1, S2, S3, NULL);
	expect_calls(f, NULL);
	assert_int_equal(f->rd.stats.exclude_over_limit, 1);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, G2, S1, NULL);
	expect_calls(f, "g_add * 239.2.2.2", NULL);
	assert_int_equal(f->t.nsources, 2);
	apply(f, MCAST_BLOCK_OLD_SOURCES, G2, S2, S3, NULL);
	expect_calls(f, "g_del * 239.2.2.2", NULL);
	assert_int_equal(f->rd.stats.exclude_over_limit, 2);
	assert_int_equal(f->t.nsources, 0);
	assert_false(excludes(f, G2, S3));
}

/* R14: at max groups the tunnel keeps its groups, new ones are ignored. */
static void
test_R14_max_groups(void **state)
{
	struct fixture	*f = *state;

	f->rd.conf.max_groups = 2;
	apply(f, MCAST_CHANGE_TO_EXCLUDE, "239.0.0.1", NULL);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, "239.0.0.2", NULL);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, "239.0.0.3", NULL);
	expect_calls(f, "g_add * 239.0.0.1", "g_add * 239.0.0.2", NULL);
	assert_int_equal(f->t.ngroups, 2);
	assert_int_equal(f->rd.stats.limit_ignored, 1);
	/* Existing groups still change. */
	apply(f, MCAST_CHANGE_TO_INCLUDE, "239.0.0.1", NULL);
	apply(f, MCAST_CHANGE_TO_EXCLUDE, "239.0.0.3", NULL);
	expect_calls(f, "g_del * 239.0.0.1", "g_add * 239.0.0.3", NULL);
}

/* R14: at max sources additions are ignored, removals still work. */
static void
test_R14_max_sources(void **state)
{
	struct fixture	*f = *state;

	f->rd.conf.max_sources = 3;
	apply(f, MCAST_MODE_IS_INCLUDE, G1, S1, S2, NULL);
	apply(f, MCAST_ALLOW_NEW_SOURCES, G2, S1, S2, S3, NULL);
	expect_calls(f, "sg_add 10.0.0.1 232.1.1.1",
	    "sg_add 10.0.0.2 232.1.1.1", "sg_add 10.0.0.1 239.2.2.2", NULL);
	assert_int_equal(f->t.nsources, 3);
	assert_int_equal(f->rd.stats.limit_ignored, 1);
	/* A replacement keeps the sources already there first. */
	apply(f, MCAST_CHANGE_TO_INCLUDE, G1, "10.0.0.0", S2, S3, NULL);
	expect_calls(f, "sg_add 10.0.0.0 232.1.1.1",
	    "sg_del 10.0.0.1 232.1.1.1", NULL);
	assert_int_equal(f->rd.stats.limit_ignored, 2);
	assert_int_equal(f->t.nsources, 3);
	/* Room again after a removal. */
	apply(f, MCAST_BLOCK_OLD_SOURCES, G2, S1, NULL);
	apply(f, MCAST_ALLOW_NEW_SOURCES, G1, S3, NULL);
	expect_calls(f, "sg_del 10.0.0.1 239.2.2.2",
	    "sg_add 10.0.0.3 232.1.1.1", NULL);
	assert_int_equal(f->t.nsources, 3);
	assert_int_equal(f->rd.stats.limit_ignored, 2);
}

static void
flow_cb(const struct amt_ip *s, const struct amt_ip *g, void *arg)
{
	rec_add(arg, "flow", s, g);
}

/* membership_walk lists (S,G) and (*,G); clear tells nobody. */
static void
test_R8_walk_and_clear(void **state)
{
	struct fixture	*f = *state;

	apply(f, MCAST_MODE_IS_INCLUDE, G1, S1, NULL);
	apply(f, MCAST_MODE_IS_EXCLUDE, G2, S2, NULL);
	expect_calls(f, "sg_add 10.0.0.1 232.1.1.1", "g_add * 239.2.2.2",
	    NULL);
	membership_walk(&f->t, flow_cb, &f->rd);
	expect_calls(f, "flow 10.0.0.1 232.1.1.1", "flow * 239.2.2.2", NULL);
	membership_clear(&f->t);
	expect_calls(f, NULL);
	assert_int_equal(f->t.ngroups, 0);
	assert_int_equal(f->t.nsources, 0);
	assert_false(excludes(f, G2, S2));
}

/* Many groups stay sorted and findable. */
static void
test_R8_many_groups(void **state)
{
	struct fixture	*f = *state;
	char		 g[32];
	int		 i;

	for (i = 200; i > 0; i--) {
		snprintf(g, sizeof(g), "239.1.%d.%d", i % 7, i);
		apply(f, MCAST_MODE_IS_EXCLUDE, g, S1, NULL);
		rec_of(&f->rd)->n = 0;
	}
	assert_int_equal(f->t.ngroups, 200);
	for (i = 1; i <= 200; i++) {
		snprintf(g, sizeof(g), "239.1.%d.%d", i % 7, i);
		assert_true(excludes(f, g, S1));
		assert_false(excludes(f, g, S2));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x)	cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(test_R8_include_is_in_adds_sources),
		T(test_R8_include_to_in_replaces),
		T(test_R8_include_allow),
		T(test_R8_include_block_and_delete),
		T(test_R8_include_to_exclude),
		T(test_R8_exclude_allow_block),
		T(test_R8_exclude_to_include),
		T(test_R8_groups_independent),
		T(test_R8_duplicate_sources),
		T(test_R8_mldv2_records),
		T(test_R8_igmpv2_join_leave),
		T(test_R8_mldv1_join_done),
		T(test_R8_linklocal_groups_ignored),
		T(test_R14_max_groups),
		T(test_R14_max_sources),
		T(test_R14b_scoped_groups_refused),
		T(test_R14b_group_lists),
		T(test_R14b_bogus_sources_refused),
		T(test_R14b_allow_source),
		T(test_R14d_exclude_over_limit),
		T(test_R8_walk_and_clear),
		T(test_R8_many_groups),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
