/*
 * The option table (amt/conf.h) read from the command line and from
 * configuration files, printed back with conf_dump, described by
 * conf_usage.  Nothing here exits or logs: every error comes back as a
 * message for the caller, so that a reload can log it and keep running
 * (conf_cmdline, at start-up only, prints on stderr).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "amt/addr.h"
#include "amt/conf.h"
#include "conf_priv.h"

#define CONF_OPT_BASE	256	/* getopt_long value of table entry 0 */

/* The common flags every daemon has, outside the table. */
static const struct option conf_common[] = {
	{ "config",	required_argument,	NULL, 'f' },
	{ "check",	no_argument,		NULL, 'n' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
};
#define CONF_NCOMMON	(sizeof(conf_common) / sizeof(conf_common[0]))

static size_t
kind_size(enum conf_kind k)
{
	switch (k) {
	case CONF_BOOL: return sizeof(bool);
	case CONF_COUNT: return sizeof(int);
	case CONF_LOG_LEVEL: return sizeof(int);
	case CONF_LOG_FACILITY: return sizeof(int);
	case CONF_ADDR: return sizeof(struct amt_ip);
	case CONF_ADDRS: return sizeof(struct conf_addrs);
	case CONF_PREFIXES: return sizeof(struct conf_prefixes);
	case CONF_SOCKADDR: return sizeof(struct sockaddr_storage);
	default: return 0;
	}
}

static int
entry_check(const struct conf_opt *o)
{
	size_t	i;

	for (i = 0; i < CONF_NCOMMON; i++)
		if (strcmp(o->name, conf_common[i].name) == 0 ||
		    o->ch == conf_common[i].val)
			return -1;
	if (o->ch < 0 || o->ch > 127 || o->ch == ':' || o->ch == '?')
		return -1;
	if (kind_size(o->kind) != 0)
		return o->size == kind_size(o->kind) ? 0 : -1;
	switch (o->kind) {
	case CONF_UINT:
	case CONF_DURATION:
		if (o->size != 1 && o->size != 2 && o->size != 4 &&
		    o->size != 8)
			return -1;
		if (o->min > o->max || (o->size < 8 &&
		    o->max >> (8 * o->size) != 0))
			return -1;
		return 0;
	case CONF_STRING:
	case CONF_IFNAME:
		return o->size >= 2 ? 0 : -1;
	case CONF_CUSTOM:
		return o->set != NULL ? 0 : -1;
	default:
		return -1;
	}
}

/* A table the program got wrong is reported like any other error. */
static int
table_check(const struct conf_opt *t, char *err, size_t len)
{
	int	i;

	for (i = 0; t[i].name != NULL; i++) {
		if (i == CONF_MAX_OPTS - 1 || entry_check(&t[i]) == -1) {
			snprintf(err, len, "option table: bad entry '%s'",
			    t[i].name);
			return -1;
		}
	}
	return 0;
}

const struct conf_opt *
conf_find(const struct conf_opt *t, const char *name)
{
	for (; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static int
has_arg(const struct conf_opt *o)
{
	return o->kind != CONF_BOOL && o->kind != CONF_COUNT;
}

/* getopt_long's tables from ours. */
static void
getopt_tables(const struct conf_opt *t, struct option *lo, char *so)
{
	size_t	i, n = 0;

	*so++ = ':';			/* ':' for a missing argument */
	for (i = 0; i < CONF_NCOMMON; i++) {
		lo[n++] = conf_common[i];
		*so++ = (char)conf_common[i].val;
		if (conf_common[i].has_arg)
			*so++ = ':';
	}
	for (i = 0; t[i].name != NULL; i++) {
		lo[n].name = t[i].name;
		lo[n].has_arg = t[i].kind == CONF_BOOL ? optional_argument :
		    has_arg(&t[i]) ? required_argument : no_argument;
		lo[n].flag = NULL;
		lo[n++].val = CONF_OPT_BASE + (int)i;
		if (t[i].ch == 0)
			continue;
		*so++ = (char)t[i].ch;
		if (has_arg(&t[i]))
			*so++ = ':';
	}
	memset(&lo[n], 0, sizeof(lo[n]));
	*so = '\0';
}

static const struct conf_opt *
find_short(const struct conf_opt *t, int ch)
{
	for (; t->name != NULL; t++)
		if (t->ch == ch)
			return t;
	return NULL;
}

static int
getopt_one(const struct conf_opt *t, int ch, char **argv,
    struct conf_args *a, char *err, size_t len)
{
	const struct conf_opt	*o;

	switch (ch) {
	case 'f': a->file = optarg; return 0;
	case 'n': a->check = 1; return 0;
	case 'h': a->help = 1; return 0;
	case 'V': a->version = 1; return 0;
	case ':':
		snprintf(err, len, "%s: missing value", argv[optind - 1]);
		return -1;
	case '?':
		if (optopt > 0 && optopt < CONF_OPT_BASE)
			snprintf(err, len, "unknown option -%c", optopt);
		else
			snprintf(err, len, "unknown option %s",
			    argv[optind - 1]);
		return -1;
	}
	o = ch >= CONF_OPT_BASE ? &t[ch - CONF_OPT_BASE] : find_short(t, ch);
	if (o == NULL || a->n == CONF_ARGS_MAX) {
		snprintf(err, len, "too many options");
		return -1;
	}
	a->v[a->n].opt = o;
	a->v[a->n++].val = optarg;
	return 0;
}

int
conf_getopt(const struct conf_opt *t, int argc, char **argv,
    struct conf_args *a, char *err, size_t len)
{
	struct option	lo[CONF_MAX_OPTS + CONF_NCOMMON + 1];
	char		so[3 * (CONF_MAX_OPTS + CONF_NCOMMON) + 2];
	int		ch;

	memset(a, 0, sizeof(*a));
	if (table_check(t, err, len) == -1)
		return -1;
	getopt_tables(t, lo, so);
	optind = 0;			/* glibc: start over, also in tests */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1)
		if (getopt_one(t, ch, argv, a, err, len) == -1)
			return -1;
	a->optind = optind;
	return 0;
}

/*
 * A daemon's command line at start-up: -1 when it is to run, else the
 * exit code: EX_OK after the usage (-h) or the version (-V), EX_USAGE
 * after printing what is wrong (and the usage, for a bad option) on
 * stderr, where start-up messages go.
 */
int
conf_cmdline(const struct conf_opt *t, const char *prog, int argc,
    char **argv, struct conf_args *a)
{
	char	err[512];

	if (conf_getopt(t, argc, argv, a, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", prog, err);
		conf_usage(t, prog, stderr);
		return EX_USAGE;
	}
	if (a->help) {
		conf_usage(t, prog, stdout);
		return EX_OK;
	}
	if (a->version) {
		printf("%s %s\n", prog, PACKAGE_VERSION);
		return EX_OK;
	}
	if (a->optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog,
		    argv[a->optind]);
		return EX_USAGE;
	}
	return -1;
}

static void
opt_name(const struct conf_opt *o, char *buf, size_t len)
{
	if (o->ch != 0)
		snprintf(buf, len, "-%c/--%s", o->ch, o->name);
	else
		snprintf(buf, len, "--%s", o->name);
}

int
conf_apply(const struct conf_opt *t, const struct conf_args *a, void *conf,
    char *err, size_t len)
{
	uint64_t	seen = 0, bit;
	char		msg[256], name[64];
	int		i;

	for (i = 0; i < a->n; i++) {
		bit = UINT64_C(1) << (a->v[i].opt - t);
		if ((seen & bit) == 0)
			conf_value_reset(a->v[i].opt, conf);
		seen |= bit;
		if (conf_set(a->v[i].opt, conf, a->v[i].val, msg,
		    sizeof(msg)) == -1) {
			opt_name(a->v[i].opt, name, sizeof(name));
			snprintf(err, len, "%s: %s", name, msg);
			return -1;
		}
	}
	return 0;
}

int
conf_load(const struct conf_opt *t, const struct conf_args *a, void *conf,
    char *err, size_t len)
{
	if (a->file != NULL && conf_load_file(t, a->file, conf, err, len) == -1)
		return -1;
	return conf_apply(t, a, conf, err, len);
}

/* Split a line into words; '#' at the start of a word ends the line. */
static int
line_words(char *line, char **w, int max)
{
	int	n = 0;

	for (;;) {
		line += strspn(line, " \t\r");
		if (*line == '\0' || *line == '#')
			return n;
		if (n == max)
			return -1;
		w[n++] = line;
		line += strcspn(line, " \t\r");
		if (*line != '\0')
			*line++ = '\0';
	}
}

/* Per-file state: the line where each option was first set. */
struct conf_file {
	const struct conf_opt	*t;
	void			*conf;
	unsigned		 first[CONF_MAX_OPTS];
};

static int
file_line(struct conf_file *cf, char *line, unsigned lineno, char *err,
    size_t len)
{
	const struct conf_opt	*o;
	char			*w[3];
	int			 n;

	if ((n = line_words(line, w, 2)) == 0)
		return 0;
	if (n == -1 || n == 1) {
		snprintf(err, len, n == 1 ? "%s: missing value" :
		    "%s: one value expected", w[0]);
		return -1;
	}
	if ((o = conf_find(cf->t, w[0])) == NULL ||
	    (o->flags & CONF_F_CMDLINE)) {
		snprintf(err, len, "unknown key '%s'", w[0]);
		return -1;
	}
	if (cf->first[o - cf->t] != 0 && o->kind != CONF_ADDRS &&
	    o->kind != CONF_PREFIXES) {
		snprintf(err, len, "%s: set before at line %u", w[0],
		    cf->first[o - cf->t]);
		return -1;
	}
	if (cf->first[o - cf->t] == 0) {
		cf->first[o - cf->t] = lineno;
		conf_value_reset(o, cf->conf);
	}
	n = snprintf(err, len, "%s: ", w[0]);
	if (n < 0 || (size_t)n >= len)
		n = 0;
	return conf_set(o, cf->conf, w[1], err + n, len - (size_t)n);
}

int
conf_load_buf(const struct conf_opt *t, const char *name, const char *buf,
    size_t buflen, void *conf, char *err, size_t len)
{
	struct conf_file	 cf = { t, conf, { 0 } };
	char			 line[CONF_LINE_MAX + 1], msg[512];
	const char		*p = buf, *end = buf + buflen, *nl;
	unsigned		 lineno = 0;

	if (table_check(t, err, len) == -1)
		return -1;
	for (; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl - p > CONF_LINE_MAX || memchr(p, '\0', (size_t)(nl - p))) {
			snprintf(err, len, "%s:%u: line too long or binary",
			    name, lineno);
			return -1;
		}
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		if (file_line(&cf, line, lineno, msg, sizeof(msg)) == -1) {
			snprintf(err, len, "%s:%u: %s", name, lineno, msg);
			return -1;
		}
	}
	return 0;
}

int
conf_load_file(const struct conf_opt *t, const char *path, void *conf,
    char *err, size_t len)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 n;
	int		 fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONF_FILE_MAX) {
		snprintf(err, len, "%s: not a regular file of at most %d bytes",
		    path, CONF_FILE_MAX);
		close(fd);
		return -1;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	n = read(fd, buf, (size_t)st.st_size + 1);
	close(fd);
	if (n == -1 || n > st.st_size) {
		snprintf(err, len, "%s: %s", path, n == -1 ? strerror(errno) :
		    "file grew while being read");
		free(buf);
		return -1;
	}
	rc = conf_load_buf(t, path, buf, (size_t)n, conf, err, len);
	free(buf);
	return rc;
}

void
conf_dump(const struct conf_opt *t, const void *conf, FILE *f)
{
	for (; t->name != NULL; t++)
		if ((t->flags & CONF_F_CMDLINE) == 0)
			conf_value_print(t, conf, f);
}

void
conf_usage(const struct conf_opt *t, const char *prog, FILE *f)
{
	char	left[64], sh[8];

	fprintf(f, "usage: %s [-hnV] [-f file] [options]\n"
	    "  -f, --config FILE         read FILE (command line wins)\n"
	    "  -n, --check               check, print the configuration, "
	    "exit\n"
	    "  -h, --help                this text\n"
	    "  -V, --version             print the version\n", prog);
	for (; t->name != NULL; t++) {
		snprintf(sh, sizeof(sh), "-%c, ", t->ch);
		snprintf(left, sizeof(left), "%s--%s%s%s", t->ch ? sh : "    ",
		    t->name, has_arg(t) ? " " : "", has_arg(t) ? (t->arg ?
		    t->arg : "VALUE") : "");
		fprintf(f, "  %-24s  %s\n", left, t->help ? t->help : "");
	}
}
