/*
 * Reload (SIGHUP, `amtctl reload`): read the file again with the same
 * command line on top (conf_read) and take the result whole, or keep the
 * running configuration whole when it does not parse or check.
 *
 * Limits, timers and the log level apply at once, and tunnels stay up:
 * the code reads them from rd->conf when it needs them (max-tunnels and
 * the per-ip limit at the next new tunnel, request-rate at the next
 * Request (its buckets, allocated at start, are kept), max-groups and
 * max-sources at the next Update, query-interval and qrv in the next
 * Query, tunnel-timeout at each tunnel's next refresh, tunnel-mtu at the
 * next packet).  What
 * was opened at start-up with the old value (sockets, addresses, the
 * interface, the control socket, the pid file, the user, the syslog
 * facility, the metrics listener) needs a restart: it is logged as such
 * and keeps its running value.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "amt/log.h"
#include "relay.h"

/* Options that need a restart; NULL names: derived, copied silently. */
static const struct {
	const char	*name;
	size_t		 off;
	size_t		 size;
} reload_fixed[] = {
#define F(n, m)	{ n, offsetof(struct relay_conf, m), \
	sizeof(((struct relay_conf *)0)->m) }
	F("interface", upstream_if),
	F("relay-address", relay_addrs),
	F("discovery-address", discovery_addrs),
	F("discovery-interface", discovery_if),
	F("port", port),
	F("control-socket", ctl_path),
	F("control-group", ctl_group),
	F("pid-file", pid_file),
	F("user", user),
	F("log-facility", log_facility),
	F("metrics", metrics),
	F("tunnel-prefix4", tunnel_prefix4),	/* tunnel buckets hash it */
	F("tunnel-prefix6", tunnel_prefix6),
	F("max-upstream-groups", max_upstream_groups),
	F(NULL, relay_addr4),
	F(NULL, relay_addr6),
	F(NULL, discovery),
	F(NULL, ndiscovery),
#undef F
};
#define RELOAD_NFIXED	(sizeof(reload_fixed) / sizeof(reload_fixed[0]))

/* What needs a restart keeps its running value, with a log line. */
static void
reload_keep_fixed(const struct relay_conf *old, struct relay_conf *nc)
{
	const char	*o = (const char *)old;
	char		*n = (char *)nc;
	size_t		 i;

	for (i = 0; i < RELOAD_NFIXED; i++) {
		if (reload_fixed[i].name != NULL &&
		    memcmp(o + reload_fixed[i].off, n + reload_fixed[i].off,
		    reload_fixed[i].size) != 0)
			log_warnx("reload: %s changed: needs restart, keeping "
			    "the running value", reload_fixed[i].name);
		memcpy(n + reload_fixed[i].off, o + reload_fixed[i].off,
		    reload_fixed[i].size);
	}
}

/* The configuration as text, for the list of changes. */
static char *
reload_text(const struct relay_conf *c)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	conf_print(c, f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Is line one of the lines of text? */
static int
reload_has_line(const char *text, const char *line)
{
	size_t		 n = strlen(line);
	const char	*p;

	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' ||
		    p[n] == '\0'))
			return 1;
	}
	return 0;
}

/* One log line per option whose value changed ("reload: qrv 3"). */
static void
reload_log_changes(const struct relay_conf *old, const struct relay_conf *nc)
{
	char	*a = reload_text(old), *b = reload_text(nc);
	char	*line, *save = NULL;
	int	 n = 0;

	if (a != NULL && b != NULL) {
		for (line = strtok_r(b, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			if (reload_has_line(a, line))
				continue;
			log_info("reload: %s", line);
			n++;
		}
	}
	if (n == 0)
		log_info("reload: no change");
	free(a);
	free(b);
}

int
reload_conf(struct relayd *rd, char *err, size_t len)
{
	struct relay_conf	nc;

	if (conf_read(&rd->conf.args, &nc, err, len) == -1)
		return -1;
	reload_keep_fixed(&rd->conf, &nc);
	reload_log_changes(&rd->conf, &nc);
	rd->conf = nc;
	if (keys_reconf(rd) == -1)
		log_warnx("reload: key rotation timer");
	(void)log_setlevel(nc.log_level, nc.verbose);
	log_info("configuration reloaded%s%s", rd->conf.args.file ? " from " : "",
	    rd->conf.args.file ? rd->conf.args.file : " (no file: command line only)");
	return 0;
}
