/*
 * The option table: every kind from the command line and from a file,
 * bounds, unknown keys and bad values with FILE:LINE, comments, the
 * command line over the file, conf_dump output parsing back to the same
 * configuration, a reload that fails leaving the old one alone.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "amt/conf.h"

struct tconf {
	bool			debug;
	int			verbose;
	bool			flag;
	unsigned		qqi;
	uint8_t			qrv;
	uint16_t		port;
	uint64_t		big;
	unsigned		timeout;
	char			ctl[16];
	char			ifname[IF_NAMESIZE];
	struct amt_ip		addr;
	struct conf_addrs	disc;
	struct sockaddr_storage	peer;
	int			mode;
	int			log_level;
	int			log_facility;
};

static int
mode_set(void *conf, const char *s, char *err, size_t len)
{
	struct tconf	*c = conf;

	if (strcmp(s, "fast") != 0 && strcmp(s, "slow") != 0) {
		snprintf(err, len, "'%s' is not fast or slow", s);
		return -1;
	}
	c->mode = s[0] == 'f' ? 1 : 2;
	return 0;
}

static void
mode_print(const void *conf, const char *name, FILE *f)
{
	const struct tconf	*c = conf;

	if (c->mode != 0)
		fprintf(f, "%s %s\n", name, c->mode == 1 ? "fast" : "slow");
}

#define O(n, c, k, m)	.name = n, .ch = c, .kind = k, \
	CONF_FIELD(struct tconf, m)
static const struct conf_opt topts[] = {
	{ O("debug", 'd', CONF_BOOL, debug), .flags = CONF_F_CMDLINE,
	    .help = "foreground" },
	{ O("verbose", 'v', CONF_COUNT, verbose), .flags = CONF_F_CMDLINE },
	{ O("flag", 0, CONF_BOOL, flag), .help = "a flag" },
	{ O("query-interval", 'q', CONF_UINT, qqi), .min = 1, .max = 31744 },
	{ O("qrv", 0, CONF_UINT, qrv), .min = 1, .max = 7 },
	{ O("port", 'p', CONF_UINT, port), .min = 1, .max = 65535 },
	{ O("big", 0, CONF_UINT, big), .max = UINT64_MAX },
	{ O("timeout", 't', CONF_DURATION, timeout), .min = 10,
	    .max = 86400 },
	{ O("control-socket", 'S', CONF_STRING, ctl), .arg = "PATH" },
	{ O("interface", 'i', CONF_IFNAME, ifname) },
	{ O("relay-address", 'a', CONF_ADDR, addr),
	    .flags = CONF_F_UNICAST },
	{ O("discovery-address", 'D', CONF_ADDRS, disc),
	    .flags = CONF_F_UNICAST },
	{ O("relay", 'r', CONF_SOCKADDR, peer), .min = 2268 },
	{ O("mode", 0, CONF_CUSTOM, mode), .set = mode_set,
	    .print = mode_print },
	{ O("log-level", 0, CONF_LOG_LEVEL, log_level) },
	{ O("log-facility", 0, CONF_LOG_FACILITY, log_facility) },
	CONF_END
};

static void
tdefaults(struct tconf *c)
{
	memset(c, 0, sizeof(*c));
	c->qqi = 125;
	c->qrv = 2;
	c->port = 2268;
	c->timeout = 260;
	snprintf(c->ctl, sizeof(c->ctl), "/run/t.sock");
	c->log_level = LOG_INFO;
	c->log_facility = LOG_DAEMON;
}

/* argv from a string of words (at most 31). */
static int
split(char *s, char **argv)
{
	int	n = 0;

	argv[n++] = (char *)"prog";
	for (s = strtok(s, " "); s != NULL && n < 31; s = strtok(NULL, " "))
		argv[n++] = s;
	argv[n] = NULL;
	return n;
}

/* Parse a command line onto the defaults; 0 or -1 (err). */
static int
cmdline(const char *line, struct tconf *c, struct conf_args *a, char *err)
{
	static char	buf[1024];
	char		*argv[32];
	int		 argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = split(buf, argv);
	tdefaults(c);
	if (conf_getopt(topts, argc, argv, a, err, 256) == -1)
		return -1;
	return conf_apply(topts, a, c, err, 256);
}

static int
text(const char *s, struct tconf *c, char *err)
{
	return conf_load_buf(topts, "t.conf", s, strlen(s), c, err, 256);
}

static void
test_conf_every_kind_from_command_line(void **state)
{
	struct conf_args	a;
	struct tconf		c;
	char			err[256], buf[64];

	assert_int_equal(cmdline("-d -vv -v --flag -q 60 --qrv=3 -p 9 "
	    "--big 18446744073709551615 -t 5m -S /tmp/x -i eth0 "
	    "-a 192.0.2.1 -D 192.52.193.1 -D 2001:3::1 -r [2001:db8::1]:99 "
	    "--mode slow", &c, &a, err), 0);
	assert_true(c.debug);
	assert_int_equal(c.verbose, 3);
	assert_true(c.flag);
	assert_int_equal(c.qqi, 60);
	assert_int_equal(c.qrv, 3);
	assert_int_equal(c.port, 9);
	assert_true(c.big == UINT64_MAX);
	assert_int_equal(c.timeout, 300);
	assert_string_equal(c.ctl, "/tmp/x");
	assert_string_equal(c.ifname, "eth0");
	assert_string_equal(ip_str(&c.addr, buf, sizeof(buf)), "192.0.2.1");
	assert_int_equal(c.disc.n, 2);
	assert_string_equal(ip_str(&c.disc.a[1], buf, sizeof(buf)),
	    "2001:3::1");
	assert_string_equal(addr_str((struct sockaddr *)&c.peer, buf,
	    sizeof(buf)), "[2001:db8::1]:99");
	assert_int_equal(c.mode, 2);
	assert_null(a.file);
	assert_int_equal(a.check, 0);
}

static void
test_conf_uint_bounds(void **state)
{
	struct conf_args	a;
	struct tconf		c;
	char			err[256];

	assert_int_equal(cmdline("--qrv 1", &c, &a, err), 0);
	assert_int_equal(cmdline("--qrv 7", &c, &a, err), 0);
	assert_int_equal(c.qrv, 7);
	assert_int_equal(cmdline("--qrv 0", &c, &a, err), -1);
	assert_string_equal(err, "--qrv: 0 is out of range 1..7");
	assert_int_equal(cmdline("--qrv 8", &c, &a, err), -1);
	assert_int_equal(cmdline("--qrv 263", &c, &a, err), -1);
	assert_int_equal(c.qrv, 2);		/* untouched on error */
	assert_int_equal(cmdline("-p 65536", &c, &a, err), -1);
	assert_int_equal(cmdline("-p -1", &c, &a, err), -1);
	assert_string_equal(err, "-p/--port: '-1' is not a decimal number");
	assert_int_equal(cmdline("-p 0x10", &c, &a, err), -1);
	assert_int_equal(cmdline("-p +5", &c, &a, err), -1);
	assert_int_equal(cmdline("-p 5s", &c, &a, err), -1);
	assert_int_equal(cmdline("--big 18446744073709551616", &c, &a, err),
	    -1);
	assert_int_equal(cmdline("-q 31744", &c, &a, err), 0);
	assert_int_equal(cmdline("-q 31745", &c, &a, err), -1);
}

static void
test_conf_duration_units(void **state)
{
	struct conf_args	a;
	struct tconf		c;
	char			err[256];

	assert_int_equal(cmdline("-t 90", &c, &a, err), 0);
	assert_int_equal(c.timeout, 90);
	assert_int_equal(cmdline("-t 90s", &c, &a, err), 0);
	assert_int_equal(c.timeout, 90);
	assert_int_equal(cmdline("-t 2h", &c, &a, err), 0);
	assert_int_equal(c.timeout, 7200);
	assert_int_equal(cmdline("-t 1d", &c, &a, err), 0);
	assert_int_equal(c.timeout, 86400);
	assert_int_equal(cmdline("-t 2d", &c, &a, err), -1);
	assert_string_equal(err, "-t/--timeout: 172800 is out of range "
	    "10..86400");
	assert_int_equal(cmdline("-t 9s", &c, &a, err), -1);
	assert_int_equal(cmdline("-t 1w", &c, &a, err), -1);
	assert_int_equal(cmdline("-t 1mm", &c, &a, err), -1);
	assert_int_equal(cmdline("-t m", &c, &a, err), -1);
	assert_int_equal(cmdline("-t 999999999999999999d", &c, &a, err), -1);
}

static void
test_conf_bool_values(void **state)
{
	struct conf_args	a;
	struct tconf		c;
	char			err[256];
	const char		*yes[] = { "yes", "true", "on", "1" };
	const char		*no[] = { "no", "false", "off", "0" };
	char			line[64];
	size_t			i;

	for (i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "flag %s\n", yes[i]);
		tdefaults(&c);
		assert_int_equal(text(line, &c, err), 0);
		assert_true(c.flag);
		snprintf(line, sizeof(line), "--flag=%s", no[i]);
		assert_int_equal(cmdline(line, &c, &a, err), 0);
		assert_false(c.flag);
	}
	tdefaults(&c);
	assert_int_equal(text("flag maybe\n", &c, err), -1);
	assert_string_equal(err, "t.conf:1: flag: 'maybe' is not yes or no");
	assert_int_equal(text("flag\n", &c, err), -1);
	assert_string_equal(err, "t.conf:1: flag: missing value");
}

static void
test_conf_string_and_ifname_rules(void **state)
{
	struct conf_args	a;
	struct tconf		c;
	char			err[256];

	assert_int_equal(cmdline("-S /run/fifteen.so", &c, &a, err), 0);
	assert_int_equal(cmdline("-S /run/sixteen.soc", &c, &a, err), -1);
	assert_string_equal(err, "-S/--control-socket: '/run/sixteen.soc' "
	    "is longer than 15 bytes");
	assert_int_equal(cmdline("-S #x", &c, &a, err), -1);
	assert_int_equal(cmdline("-i eth0.100", &c, &a, err), 0);
	assert_int_equal(cmdline("-i 0123456789abcdef", &c, &a, err), -1);
	assert_int_equal(cmdline("-i a/b", &c, &a, err), -1);
	assert_int_equal(cmdline("-i ..", &c, &a, err), -1);
	assert_int_equal(cmdline("-i eth0:1", &c, &a, err), -1);
	tdefaults(&c);
	assert_int_equal(text("control-socket a\tb\n", &c, err), -1);
	assert_string_equal(err, "t.conf:1: control-socket: one value "
	    "expected");
	assert_int_equal(text("control-socket a\x01\n", &c, err), -1);
}

static void
test_conf_addresses(void **state)
{
	struct conf_args	a;
	struct tconf		c;
	char			err[256], buf[64];

	assert_int_equal(cmdline("-a 224.0.0.1", &c, &a, err), -1);
	assert_string_equal(err, "-a/--relay-address: 224.0.0.1 is not a "
	    "unicast address");
	assert_int_equal(cmdline("-a ::", &c, &a, err), -1);
	assert_int_equal(cmdline("-a 1.2.3", &c, &a, err), -1);
	assert_int_equal(cmdline("-D 192.0.2.1 -D 192.0.2.1", &c, &a, err),
	    -1);
	assert_string_equal(err, "-D/--discovery-address: 192.0.2.1 given "
	    "twice");
	assert_int_equal(cmdline("-D 10.0.0.1 -D 10.0.0.2 -D 10.0.0.3 "
	    "-D 10.0.0.4 -D 10.0.0.5 -D 10.0.0.6 -D 10.0.0.7 -D 10.0.0.8",
	    &c, &a, err), 0);
	assert_int_equal(c.disc.n, CONF_ADDRS_MAX);
	assert_int_equal(cmdline("-D 10.0.0.1 -D 10.0.0.2 -D 10.0.0.3 "
	    "-D 10.0.0.4 -D 10.0.0.5 -D 10.0.0.6 -D 10.0.0.7 -D 10.0.0.8 "
	    "-D 10.0.0.9", &c, &a, err), -1);
	assert_int_equal(cmdline("-r 192.0.2.9", &c, &a, err), 0);
	assert_string_equal(addr_str((struct sockaddr *)&c.peer, buf,
	    sizeof(buf)), "192.0.2.9:2268");
	assert_int_equal(cmdline("-r 192.0.2.9:0", &c, &a, err), -1);
	assert_int_equal(cmdline("-r [::1", &c, &a, err), -1);
}

static void
test_conf_file_comments_and_blank_lines(void **state)
{
	struct tconf	c;
	char		err[256];

	tdefaults(&c);
	assert_int_equal(text("# a comment\n\n   \t\n"
	    "query-interval 30   # trailing comment\r\n"
	    "  qrv\t4\n#qrv 5\n"
	    "discovery-address 192.0.2.1\n"
	    "discovery-address 192.0.2.2#not-a-comment-start\n", &c, err),
	    -1);
	assert_string_equal(err, "t.conf:8: discovery-address: "
	    "'192.0.2.2#not-a-comment-start' is not an IPv4 or IPv6 address");
	tdefaults(&c);
	assert_int_equal(text("# a comment\n\n   \t\n"
	    "query-interval 30   # trailing comment\r\n"
	    "  qrv\t4\n#qrv 5\n"
	    "discovery-address 192.0.2.1\n"
	    "discovery-address 192.0.2.2", &c, err), 0);
	assert_int_equal(c.qqi, 30);
	assert_int_equal(c.qrv, 4);
	assert_int_equal(c.disc.n, 2);
	tdefaults(&c);
	assert_int_equal(text("", &c, err), 0);
	assert_int_equal(c.qqi, 125);
}

static void
test_conf_file_errors_name_file_and_line(void **state)
{
	struct tconf	c;
	char		err[256], line[CONF_LINE_MAX + 16];

	tdefaults(&c);
	assert_int_equal(text("qrv 2\n\nbogus 1\n", &c, err), -1);
	assert_string_equal(err, "t.conf:3: unknown key 'bogus'");
	assert_int_equal(text("qrv 2\nquery-interval 0\n", &c, err), -1);
	assert_string_equal(err, "t.conf:2: query-interval: 0 is out of "
	    "range 1..31744");
	assert_int_equal(text("qrv 2\n# x\nqrv 3\n", &c, err), -1);
	assert_string_equal(err, "t.conf:3: qrv: set before at line 1");
	assert_int_equal(text("debug yes\n", &c, err), -1);
	assert_string_equal(err, "t.conf:1: unknown key 'debug'");
	assert_int_equal(text("verbose 1\n", &c, err), -1);
	assert_int_equal(text("qrv 2 3\n", &c, err), -1);
	assert_string_equal(err, "t.conf:1: qrv: one value expected");
	assert_int_equal(conf_load_buf(topts, "t.conf", "qrv 2\0", 6, &c, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "t.conf:1: line too long or binary");
	memset(line, 'x', sizeof(line));
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(text(line, &c, err), -1);
	assert_string_equal(err, "t.conf:1: line too long or binary");
	assert_int_equal(conf_load_file(topts, "/nonexistent/t.conf", &c, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/t.conf: No such file or "
	    "directory");
}

static char *
tmpconf(const char *body)
{
	static char	path[64];
	int		fd;

	snprintf(path, sizeof(path), "/tmp/test_conf.XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
	close(fd);
	return path;
}

static void
test_conf_command_line_overrides_file(void **state)
{
	struct conf_args	 a;
	struct tconf		 c;
	char			 err[256], line[256], buf[64];
	char			*path;

	path = tmpconf("qrv 5\nquery-interval 30\ndiscovery-address 10.0.0.1\n"
	    "discovery-address 10.0.0.2\nflag yes\n");
	snprintf(line, sizeof(line), "-f %s --qrv 6 -D 10.0.0.3 --flag=no "
	    "-n extra", path);
	assert_int_equal(cmdline(line, &c, &a, err), 0);
	assert_string_equal(a.file, path);
	assert_int_equal(a.check, 1);
	tdefaults(&c);
	assert_int_equal(conf_load(topts, &a, &c, err, sizeof(err)), 0);
	assert_int_equal(c.qrv, 6);
	assert_int_equal(c.qqi, 30);
	assert_false(c.flag);
	/* A list on the command line replaces the file's list. */
	assert_int_equal(c.disc.n, 1);
	assert_string_equal(ip_str(&c.disc.a[0], buf, sizeof(buf)),
	    "10.0.0.3");
	unlink(path);
}

/* Reload: a broken file fails as a whole; the running copy is kept. */
static void
test_conf_reload_rejects_broken_file_whole(void **state)
{
	struct conf_args	 a;
	struct tconf		 running, fresh;
	char			 err[256], line[256];
	char			*path;

	path = tmpconf("qrv 5\nquery-interval 30\n");
	snprintf(line, sizeof(line), "-f %s -t 100", path);
	assert_int_equal(cmdline(line, &running, &a, err), 0);
	tdefaults(&running);
	assert_int_equal(conf_load(topts, &a, &running, err, 256), 0);
	unlink(path);
	path = tmpconf("qrv 6\nquery-interval 40\nqrv 7\n");
	a.file = path;
	tdefaults(&fresh);
	assert_int_equal(conf_load(topts, &a, &fresh, err, 256), -1);
	assert_non_null(strstr(err, ":3: qrv: set before at line 1"));
	assert_int_equal(running.qrv, 5);
	assert_int_equal(running.qqi, 30);
	unlink(path);
	path = tmpconf("qrv 6\n");
	a.file = path;
	tdefaults(&fresh);
	assert_int_equal(conf_load(topts, &a, &fresh, err, 256), 0);
	assert_int_equal(fresh.qrv, 6);
	assert_int_equal(fresh.qqi, 125);
	assert_int_equal(fresh.timeout, 100);	/* command line still wins */
	unlink(path);
}

static void
test_conf_dump_parses_back_to_same(void **state)
{
	struct conf_args	 a;
	struct tconf		 c, d;
	char			 err[256], *out = NULL;
	size_t			 len = 0;
	FILE			*f;

	assert_int_equal(cmdline("-d -v --flag -q 60 --qrv=3 -p 9 --big 77 "
	    "-t 5m -S /tmp/x -i eth0 -a 2001:db8::5 -D 192.52.193.1 "
	    "-D 2001:3::1 -r 192.0.2.7:99 --mode fast", &c, &a, err), 0);
	assert_non_null(f = open_memstream(&out, &len));
	conf_dump(topts, &c, f);
	fclose(f);
	assert_null(strstr(out, "debug"));
	assert_null(strstr(out, "verbose"));
	assert_non_null(strstr(out, "timeout 300\n"));
	assert_non_null(strstr(out, "relay 192.0.2.7:99\n"));
	tdefaults(&d);
	assert_int_equal(conf_load_buf(topts, "dump", out, len, &d, err,
	    sizeof(err)), 0);
	d.debug = c.debug;
	d.verbose = c.verbose;
	assert_memory_equal(&c, &d, sizeof(c));
	free(out);
}

/* The log options both daemons take: syslog names, printed back. */
static void
test_conf_log_kinds(void **state)
{
	struct tconf	 c;
	char		 err[256], *buf = NULL;
	size_t		 len = 0;
	FILE		*f;

	tdefaults(&c);
	assert_int_equal(text("log-level DEBUG\nlog-facility local3\n", &c,
	    err), 0);
	assert_int_equal(c.log_level, LOG_DEBUG);
	assert_int_equal(c.log_facility, LOG_LOCAL3);
	assert_int_equal(text("log-level loud\n", &c, err), -1);
	assert_string_equal(err, "t.conf:1: log-level: 'loud' is not "
	    "warning, info or debug");
	assert_int_equal(text("log-facility kern\n", &c, err), -1);
	assert_non_null(strstr(err, "is not daemon, user or local0..local7"));
	assert_non_null(f = open_memstream(&buf, &len));
	conf_dump(topts, &c, f);
	fclose(f);
	assert_non_null(strstr(buf, "log-level debug\nlog-facility local3\n"));
	free(buf);
}

/* Start-up: -1 to run, or the exit code. */
static void
test_conf_cmdline_exit_codes(void **state)
{
	struct conf_args	 a;
	char			*run[] = { "prog", "-q", "5", NULL };
	char			*stray[] = { "prog", "extra", NULL };
	char			*bad[] = { "prog", "--nope", NULL };
	char			*ver[] = { "prog", "-V", NULL };

	assert_int_equal(conf_cmdline(topts, "prog", 3, run, &a), -1);
	assert_int_equal(conf_cmdline(topts, "prog", 2, stray, &a),
	    EX_USAGE);
	assert_int_equal(conf_cmdline(topts, "prog", 2, bad, &a), EX_USAGE);
	assert_int_equal(conf_cmdline(topts, "prog", 2, ver, &a), EX_OK);
}

static void
test_conf_getopt_errors_and_common_flags(void **state)
{
	struct conf_args	a;
	struct tconf		c;
	char			err[256];

	assert_int_equal(cmdline("-x", &c, &a, err), -1);
	assert_string_equal(err, "unknown option -x");
	assert_int_equal(cmdline("--nope", &c, &a, err), -1);
	assert_string_equal(err, "unknown option --nope");
	assert_int_equal(cmdline("-q", &c, &a, err), -1);
	assert_string_equal(err, "-q: missing value");
	assert_int_equal(cmdline("--qrv", &c, &a, err), -1);
	assert_string_equal(err, "--qrv: missing value");
	assert_int_equal(cmdline("-h -V --check one two", &c, &a, err), 0);
	assert_true(a.help && a.version && a.check);
	assert_int_equal(a.optind, 4);
}

static void
test_conf_bad_table_rejected(void **state)
{
	const struct conf_opt	bad1[] = {
		{ O("qrv", 0, CONF_UINT, qrv), .min = 1, .max = 300 },
		CONF_END };
	const struct conf_opt	bad2[] = {
		{ O("x", 'f', CONF_UINT, qqi), .min = 1, .max = 3 }, CONF_END };
	const struct conf_opt	bad3[] = {
		{ O("x", 0, CONF_ADDR, qqi) }, CONF_END };
	struct conf_args	a;
	char			err[256];
	char			*argv[] = { (char *)"prog", NULL };
	struct tconf		c;

	assert_int_equal(conf_getopt(bad1, 1, argv, &a, err, 256), -1);
	assert_string_equal(err, "option table: bad entry 'qrv'");
	assert_int_equal(conf_getopt(bad2, 1, argv, &a, err, 256), -1);
	assert_int_equal(conf_load_buf(bad3, "t", "", 0, &c, err, 256), -1);
}

static void
test_conf_usage_lists_every_option(void **state)
{
	char			*out = NULL;
	size_t			 len = 0, i;
	FILE			*f;

	assert_non_null(f = open_memstream(&out, &len));
	conf_usage(topts, "prog", f);
	fclose(f);
	for (i = 0; topts[i].name != NULL; i++)
		assert_non_null(strstr(out, topts[i].name));
	assert_non_null(strstr(out, "-S, --control-socket PATH"));
	assert_non_null(strstr(out, "-f, --config FILE"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_conf_every_kind_from_command_line),
		cmocka_unit_test(test_conf_log_kinds),
		cmocka_unit_test(test_conf_cmdline_exit_codes),
		cmocka_unit_test(test_conf_uint_bounds),
		cmocka_unit_test(test_conf_duration_units),
		cmocka_unit_test(test_conf_bool_values),
		cmocka_unit_test(test_conf_string_and_ifname_rules),
		cmocka_unit_test(test_conf_addresses),
		cmocka_unit_test(test_conf_file_comments_and_blank_lines),
		cmocka_unit_test(test_conf_file_errors_name_file_and_line),
		cmocka_unit_test(test_conf_command_line_overrides_file),
		cmocka_unit_test(test_conf_reload_rejects_broken_file_whole),
		cmocka_unit_test(test_conf_dump_parses_back_to_same),
		cmocka_unit_test(test_conf_getopt_errors_and_common_flags),
		cmocka_unit_test(test_conf_bad_table_rejected),
		cmocka_unit_test(test_conf_usage_lists_every_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
