/*
 * The state file read back at start (format in statefile.h, checks in
 * statefile_read.c): the MAC secrets, then every tunnel not yet expired,
 * with its membership; the membership joins its flows upstream (R9) and
 * data flows to the tunnel at once.  A file that is missing, truncated,
 * of another version or relay, or corrupt is one line in the log: the
 * relay starts empty, as it would without the file.
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "amt/buf.h"
#include "amt/clock.h"
#include "amt/log.h"
#include "relay.h"
#include "statefile_priv.h"

/* The relay's identity for the file: its addresses and port (sorted). */
void
sf_addrset(const struct relay_conf *c, uint8_t out[SF_SUM_LEN])
{
	uint8_t		buf[2 * 17 + 2];
	struct wbuf	wb;

	wbuf_init(&wb, buf, sizeof(buf));
	wbuf_add_u8(&wb, c->relay_addr4.family == AF_INET ? 4 : 0);
	wbuf_add_bytes(&wb, c->relay_addr4.u.b, 16);
	wbuf_add_u8(&wb, c->relay_addr6.family == AF_INET6 ? 6 : 0);
	wbuf_add_bytes(&wb, c->relay_addr6.u.b, 16);
	wbuf_add_n16(&wb, c->port);
	sf_checksum(buf, wb.len, out);
}

/* The whole file in memory, or NULL with err (ENOENT: *missing). */
static uint8_t *
sf_load(const char *path, size_t *len, bool *missing, char *err,
    size_t elen)
{
	struct stat	 st;
	uint8_t		*p = NULL;
	ssize_t		 n;
	int		 fd;

	*missing = false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		*missing = errno == ENOENT;
		snprintf(err, elen, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)SF_MAX_LEN)
		snprintf(err, elen, "not a regular file of at most %u octets",
		    SF_MAX_LEN);
	else if ((p = malloc((size_t)st.st_size + 1)) == NULL)
		snprintf(err, elen, "%s", strerror(errno));
	else if ((n = read(fd, p, (size_t)st.st_size)) != st.st_size) {
		snprintf(err, elen, "short read");
		free(p);
		p = NULL;
	} else
		*len = (size_t)n;
	close(fd);
	return p;
}

static struct listener *
sf_listener(struct relayd *rd, const struct amt_ip *a)
{
	struct listener	*l;

	TAILQ_FOREACH(l, &rd->listeners, entry)
		if (!l->discovery_only && ip_eq(&l->addr, a))
			return l;
	return NULL;
}

/* A tunnel of the file: again, with what is left of its timer (R13). */
static void
sf_tunnel_cb(const struct sf_tunnel *ft, void *arg)
{
	struct statefile	*sf = arg;
	struct relayd		*rd = sf->rd;
	struct listener		*l;
	struct timeval		 tv = { 0, 0 };
	time_t			 timeout = conf_tunnel_timeout(&rd->conf);

	sf->cur = NULL;
	if ((time_t)ft->remaining <= sf->away ||
	    (l = sf_listener(rd, &ft->local)) == NULL ||
	    tunnel_find(rd, (const struct sockaddr *)&ft->gw) != NULL ||
	    rd->ntunnels >= rd->conf.max_tunnels) {
		sf->skipped++;
		return;
	}
	sf->cur = tunnel_new(rd, (const struct sockaddr *)&ft->gw, l);
	if (sf->cur == NULL)
		return;
	sf->cur->nonce = ft->nonce;
	memcpy(sf->cur->mac, ft->mac, sizeof(sf->cur->mac));
	sf->cur->ecn = ft->ecn;
	tv.tv_sec = (time_t)ft->remaining - sf->away;
	if (tv.tv_sec > timeout)
		tv.tv_sec = timeout;
	sf->cur->refreshed = clock_mono_s() - (timeout - tv.tv_sec);
	evtimer_add(&sf->cur->expire_ev, &tv);
	rd->stats.tunnels_restored++;
}

/* A group of that tunnel: as a current-state record (R8). */
static void
sf_group_cb(const struct sf_group *fg, void *arg)
{
	struct statefile	*sf = arg;
	struct mcast_record	 rec;
	size_t			 alen = ip_len(fg->group.family);
	uint32_t		 i;

	if (sf->cur == NULL)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.type = fg->exclude ? MCAST_MODE_IS_EXCLUDE : MCAST_MODE_IS_INCLUDE;
	rec.group = fg->group;
	rec.nsrc = (uint16_t)fg->nsrc;
	for (i = 0; i < fg->nsrc; i++)
		memcpy(sf->srcs + i * alen, fg->srcs + i * 16, alen);
	rec.srcs = sf->srcs;
	if (membership_apply(sf->cur, &rec) == -1)
		log_warnx("state file: a group of a tunnel not restored");
}

/* The MAC secrets (R5) as they were, aged by the time away. */
static void
sf_keys(struct relayd *rd, const struct sf_header *h, time_t away)
{
	memcpy(rd->macs.cur, h->cur, MAC_KEY_LEN);
	memcpy(rd->macs.prev, h->prev, MAC_KEY_LEN);
	rd->macs.have_prev = h->have_prev;
	rd->macs.rotated_at = clock_mono_s() - (time_t)h->cur_age - away;
}

/* Checked whole, of this relay: 0; else -1 and why in err. */
static int
sf_check(struct relayd *rd, const uint8_t *p, size_t len,
    struct sf_header *h, char *err, size_t elen)
{
	uint8_t	set[SF_SUM_LEN];

	if (sf_parse(p, len, h, NULL, NULL, err, elen) == -1)
		return -1;
	sf_addrset(&rd->conf, set);
	if (memcmp(set, h->addrset, sizeof(set)) != 0) {
		snprintf(err, elen, "written by a relay with other addresses");
		return -1;
	}
	return 0;
}

static void
sf_apply(struct relayd *rd, const uint8_t *p, size_t len,
    const struct sf_header *h)
{
	struct statefile	*sf = rd->sf;
	const struct sf_ops	 ops = { sf_tunnel_cb, sf_group_cb };
	struct sf_header	 h2;
	time_t			 now = time(NULL);
	char			 err[128];

	sf->rd = rd;
	sf->away = now > h->written ? now - h->written : 0;
	sf_keys(rd, h, sf->away);
	if ((sf->srcs = malloc((size_t)UINT16_MAX * 16)) == NULL ||
	    sf_parse(p, len, &h2, &ops, sf, err, sizeof(err)) == -1)
		log_warnx("state file %s: not restored", rd->conf.state_file);
	free(sf->srcs);
	sf->srcs = NULL;
	sf->cur = NULL;
	log_info("state file %s: %llu tunnels restored, %u expired or not "
	    "ours (written %lld s ago)", rd->conf.state_file,
	    (unsigned long long)rd->stats.tunnels_restored, sf->skipped,
	    (long long)sf->away);
}

void
sf_restore(struct relayd *rd)
{
	const char	*path = rd->conf.state_file;
	struct sf_header h;
	uint8_t		*p;
	size_t		 len = 0;
	bool		 missing;
	char		 err[256];

	if ((p = sf_load(path, &len, &missing, err, sizeof(err))) == NULL) {
		if (missing)
			log_info("state file %s: none yet, starting empty",
			    path);
		else
			log_warnx("state file %s: %s: ignored, starting empty",
			    path, err);
		return;
	}
	if (sf_check(rd, p, len, &h, err, sizeof(err)) == -1)
		log_warnx("state file %s: %s: ignored, starting empty", path,
		    err);
	else
		sf_apply(rd, p, len, &h);
	free(p);
}
