/*
 * The relay's state file (--state-file, format in statefile.h): the
 * response MAC secrets and every tunnel with its membership, written
 * atomically (a temporary file, fsync, rename; mode 0600, owned by the
 * user the relay runs as) at most once a second while something changed,
 * and at shutdown.  At start statefile_restore.c reads it back, so that
 * a restarted relay forwards to its gateways at once: their Updates still
 * verify (the same secrets), their flows are joined upstream again.
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "amt/buf.h"
#include "amt/clock.h"
#include "amt/log.h"
#include "relay.h"
#include "statefile.h"
#include "statefile_priv.h"

#define SF_TICK_S	1

/* "none" (or empty): no state file. */
static bool
sf_enabled(const struct relay_conf *c)
{
	return c->state_file[0] != '\0' && strcmp(c->state_file, "none") != 0;
}

static void
sf_put_ip(struct wbuf *wb, const struct amt_ip *ip)
{
	uint8_t	b[16];

	memset(b, 0, sizeof(b));
	memcpy(b, ip->u.b, ip_len(ip->family));
	wbuf_add_u8(wb, ip->family == AF_INET6 ? 6 : 4);
	wbuf_add_bytes(wb, b, sizeof(b));
}

static void
sf_put_group(const struct amt_ip *g, bool exclude, const uint8_t *srcs,
    unsigned n, void *arg)
{
	struct wbuf	*wb = arg;

	sf_put_ip(wb, g);
	wbuf_add_u8(wb, exclude ? SF_MODE_EXCLUDE : SF_MODE_INCLUDE);
	wbuf_add_n32(wb, n);
	if (n > 0)
		wbuf_add_bytes(wb, srcs, (size_t)n * 16);
}

/* R13: what is left of the tunnel's timer, in seconds (at least 1). */
static uint32_t
sf_remaining(const struct tunnel *t, time_t now)
{
	time_t	left;

	left = (time_t)conf_tunnel_timeout(&t->rd->conf) -
	    (now - t->refreshed);
	return left < 1 ? 1 : (uint32_t)left;
}

static void
sf_put_tunnel(struct wbuf *wb, const struct tunnel *t, time_t now)
{
	struct amt_ip	gw;
	uint16_t	port;
	uint8_t		canon[16];

	ip_from_sa((const struct sockaddr *)&t->gw, &gw);
	addr_canon((const struct sockaddr *)&t->gw, canon, &port);
	sf_put_ip(wb, &gw);
	wbuf_add_n16(wb, port);
	sf_put_ip(wb, &t->lsn->addr);
	wbuf_add_n32(wb, t->nonce);
	wbuf_add_bytes(wb, t->mac, sizeof(t->mac));
	wbuf_add_u8(wb, t->ecn ? SF_FLAG_ECN : 0);
	wbuf_add_n32(wb, sf_remaining(t, now));
	wbuf_add_n32(wb, t->ngroups);
	membership_each(t, sf_put_group, wb);
}

static size_t
sf_size(const struct relayd *rd)
{
	const struct tunnel	*t;
	size_t			 n = SF_HEAD_LEN + 65 + SF_SUM_LEN;

	TAILQ_FOREACH(t, &rd->tunnels, entry)
		n += 55 + (size_t)t->ngroups * 22 + (size_t)t->nsources * 16;
	return n;
}

static void
sf_put_head(struct wbuf *wb, const struct relayd *rd, time_t now)
{
	uint64_t	wall = (uint64_t)time(NULL);
	uint8_t		set[SF_SUM_LEN];

	wbuf_add_bytes(wb, SF_MAGIC, SF_MAGIC_LEN);
	wbuf_add_n32(wb, SF_VERSION);
	wbuf_add_n32(wb, 0);			/* the body length, below */
	wbuf_add_n32(wb, (uint32_t)(wall >> 32));
	wbuf_add_n32(wb, (uint32_t)wall);
	sf_addrset(&rd->conf, set);
	wbuf_add_bytes(wb, set, sizeof(set));
	wbuf_add_bytes(wb, rd->macs.cur, MAC_KEY_LEN);
	wbuf_add_bytes(wb, rd->macs.prev, MAC_KEY_LEN);
	wbuf_add_u8(wb, rd->macs.have_prev ? 1 : 0);
	wbuf_add_n32(wb, (uint32_t)(now - rd->macs.rotated_at));
	wbuf_add_n32(wb, rd->ntunnels);
}

/* The whole state in memory (freed by the caller), or NULL. */
static uint8_t *
sf_build(const struct relayd *rd, size_t *len)
{
	const struct tunnel	*t;
	struct wbuf		 wb;
	uint8_t			*p, sum[SF_SUM_LEN];
	time_t			 now = clock_mono_s();
	size_t			 cap = sf_size(rd);

	if ((p = malloc(cap)) == NULL)
		return NULL;
	wbuf_init(&wb, p, cap);
	sf_put_head(&wb, rd, now);
	TAILQ_FOREACH(t, &rd->tunnels, entry)
		sf_put_tunnel(&wb, t, now);
	if (!wb.err && wb.len + SF_SUM_LEN == cap) {
		p[12] = (uint8_t)((cap - SF_HEAD_LEN - SF_SUM_LEN) >> 24);
		p[13] = (uint8_t)((cap - SF_HEAD_LEN - SF_SUM_LEN) >> 16);
		p[14] = (uint8_t)((cap - SF_HEAD_LEN - SF_SUM_LEN) >> 8);
		p[15] = (uint8_t)(cap - SF_HEAD_LEN - SF_SUM_LEN);
		sf_checksum(p, wb.len, sum);
		if (wbuf_add_bytes(&wb, sum, sizeof(sum)) == 0) {
			*len = wb.len;
			return p;
		}
	}
	log_warnx("state file: %zu octets built, %zu expected", wb.len, cap);
	free(p);
	return NULL;
}

static int
sf_write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* tmp, fsync, rename: a reader sees the old file or the new one. */
static int
sf_replace(const char *path, const uint8_t *p, size_t len)
{
	char	tmp[sizeof(((struct relay_conf *)0)->state_file) + 8];
	int	fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1)
		return -1;
	if (fchmod(fd, 0600) == -1 || sf_write_all(fd, p, len) == -1 ||
	    fsync(fd) == -1) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Write now; a failure is logged once until a write works again. */
static void
sf_save(struct relayd *rd)
{
	struct statefile	*sf = rd->sf;
	uint8_t			*p;
	size_t			 len;

	if ((p = sf_build(rd, &len)) == NULL)
		return;
	if (sf_replace(rd->conf.state_file, p, len) == -1) {
		if (!sf->failed)
			log_warn("state file %s: cannot write",
			    rd->conf.state_file);
		sf->failed = true;
	} else {
		if (sf->failed)
			log_info("state file %s: written again",
			    rd->conf.state_file);
		sf->failed = false;
	}
	free(p);
}

/* A cheap summary of what the file holds: it changed, write again. */
static uint64_t
sf_signature(const struct relayd *rd)
{
	const struct tunnel	*t;
	uint64_t		 h = 1469598103934665603ULL;

#define SF_MIX(v)	(h = (h ^ (uint64_t)(v)) * 1099511628211ULL)
	SF_MIX(rd->ntunnels);
	SF_MIX(rd->macs.rotated_at);
	TAILQ_FOREACH(t, &rd->tunnels, entry) {
		SF_MIX((uintptr_t)t);
		SF_MIX(t->rx_update);
		SF_MIX(t->refreshed);
		SF_MIX(t->nonce);
		SF_MIX(t->ngroups);
		SF_MIX(t->nsources);
	}
#undef SF_MIX
	return h;
}

static void
sf_tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct relayd	*rd = arg;
	uint64_t	 sig = sf_signature(rd);

	if (sig == rd->sf->sig)
		return;
	rd->sf->sig = sig;
	sf_save(rd);
}

/*
 * The directory (/var/lib/amt): made if missing, owned by --user, so
 * that the relay can still write there once it dropped privileges.
 */
static void
sf_mkdir(const struct relay_conf *c)
{
	char		 dir[sizeof(c->state_file)];
	struct passwd	*pw;

	snprintf(dir, sizeof(dir), "%s", c->state_file);
	if (mkdir(dirname(dir), 0700) == -1)
		return;
	if (c->user[0] != '\0' && geteuid() == 0 &&
	    (pw = getpwnam(c->user)) != NULL &&
	    chown(dir, pw->pw_uid, pw->pw_gid) == -1)
		log_warn("state file directory %s", dir);
}

int
statefile_start(struct relayd *rd)
{
	struct timeval	tv = { SF_TICK_S, 0 };

	if (!sf_enabled(&rd->conf)) {
		log_info("no state file");
		return 0;
	}
	if ((rd->sf = calloc(1, sizeof(*rd->sf))) == NULL) {
		log_warn("state file");
		return -1;
	}
	sf_mkdir(&rd->conf);
	sf_restore(rd);
	rd->sf->sig = sf_signature(rd);
	rd->sf->ev = event_new(rd->base, -1, EV_PERSIST, sf_tick_cb, rd);
	if (rd->sf->ev == NULL || event_add(rd->sf->ev, &tv) == -1) {
		log_warnx("state file: no timer");
		return -1;
	}
	return 0;
}

/* Shutdown (SIGTERM): the last state, then the tunnels go (R16). */
void
statefile_stop(struct relayd *rd)
{
	if (rd->sf == NULL)
		return;
	if (rd->sf->ev != NULL) {
		event_free(rd->sf->ev);
		sf_save(rd);
	}
	free(rd->sf);
	rd->sf = NULL;
}
