/*
 * amtctl: send one command to amtrelayd or amtgwd over its control socket
 * and print the JSON reply, either as it is (--json) or as text: every
 * member that is an array of objects becomes a table, everything else a
 * "name value" line; amtgwd's "since" reads as an age there.
 */
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <jansson.h>

#include "amt/ctl.h"

#ifndef AMTCTL_RELAY_SOCK
#define AMTCTL_RELAY_SOCK	"/run/amtrelayd.sock"
#endif
#ifndef AMTCTL_GW_SOCK
#define AMTCTL_GW_SOCK		"/run/amtgwd.sock"
#endif
#define AMTCTL_TIMEOUT_MS	5000

/* One table being printed: column names, cells, widths. */
struct table {
	size_t		  ncols;
	size_t		  nrows;
	const char	**keys;
	char		**cells;	/* nrows x ncols, row major */
	size_t		 *width;
	int		 *numeric;	/* column of numbers: right-aligned */
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: amtctl [-S path] [--json] command ...\n");
	exit(EX_USAGE);
}

/* The command words joined by single spaces, as one request line. */
static char *
join_words(int argc, char **argv)
{
	size_t	 len = 1, off = 0;
	char	*line;
	int	 i, n;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (len > CTL_MAX_LINE + 1) {
		fprintf(stderr, "amtctl: command longer than %d bytes\n",
		    CTL_MAX_LINE);
		exit(EX_USAGE);
	}
	if ((line = calloc(1, len)) == NULL) {
		perror("amtctl");
		exit(EX_OSERR);
	}
	for (i = 0; i < argc; i++) {
		n = snprintf(line + off, len - off, "%s%s", i > 0 ? " " : "",
		    argv[i]);
		if (n < 0 || (size_t)n >= len - off) {
			fprintf(stderr, "amtctl: cannot build the command\n");
			exit(EX_SOFTWARE);
		}
		off += (size_t)n;
	}
	return line;
}

/* Say why a request failed; the exit code that goes with it. */
static int
request_failed(const char *path)
{
	int	saved_errno = errno;

	fprintf(stderr, "amtctl: %s: %s\n", path, strerror(saved_errno));
	return saved_errno == EBADMSG ? EX_PROTOCOL : EX_UNAVAILABLE;
}

/*
 * Without -S, try the relay's socket, then the gateway's; go on to the
 * next only when nothing listens at the first (no file, or refused).
 * NULL with *ex set when no reply came.
 */
static json_t *
request(const char *path, const char *line, int *ex)
{
	static const char	*defaults[] = { AMTCTL_RELAY_SOCK, AMTCTL_GW_SOCK };
	json_t			*reply;
	size_t			 i;

	if (path != NULL) {
		if ((reply = ctl_request(path, line, AMTCTL_TIMEOUT_MS)) == NULL)
			*ex = request_failed(path);
		return reply;
	}
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		reply = ctl_request(defaults[i], line, AMTCTL_TIMEOUT_MS);
		if (reply != NULL)
			return reply;
		if (errno != ENOENT && errno != ECONNREFUSED) {
			*ex = request_failed(defaults[i]);
			return NULL;
		}
	}
	fprintf(stderr, "amtctl: cannot connect to %s or %s: is amtrelayd or "
	    "amtgwd running? (use -S path)\n", AMTCTL_RELAY_SOCK,
	    AMTCTL_GW_SOCK);
	*ex = EX_UNAVAILABLE;
	return NULL;
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL) {
		perror("amtctl");
		exit(EX_OSERR);
	}
	return p;
}

static char	*value_str(json_t *);

/* An array as "a,b,c" (nested values as text too); empty: "-". */
static char *
array_str(json_t *a)
{
	char	*out = NULL, *s, *n;
	size_t	 i, len = 0, cap;
	json_t	*v;
	int	 w;

	json_array_foreach(a, i, v) {
		s = value_str(v);
		cap = len + strlen(s) + 2;
		if ((n = realloc(out, cap)) == NULL) {
			perror("amtctl");
			exit(EX_OSERR);
		}
		out = n;
		w = snprintf(out + len, cap - len, "%s%s", i > 0 ? "," : "", s);
		if (w < 0 || (size_t)w >= cap - len) {
			fprintf(stderr, "amtctl: cannot format a value\n");
			exit(EX_SOFTWARE);
		}
		len += (size_t)w;
		free(s);
	}
	return out != NULL ? out : xstrdup("-");
}

/* A value as text: strings bare, null as "-", arrays comma-separated. */
static char *
value_str(json_t *v)
{
	char	*s;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return xstrdup(json_string_value(v));
	case JSON_NULL:
		return xstrdup("-");
	case JSON_ARRAY:
		return array_str(v);
	default:
		break;
	}
	if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return xstrdup("?");
	return s;
}

/* Seconds as an operator reads an age: 45s, 3m12s, 2h05m, 4d03h. */
static char *
age_str(json_int_t since)
{
	char		buf[32];
	long long	a = (long long)time(NULL) - (long long)since;

	if (a < 0)
		a = 0;
	if (a < 60)
		snprintf(buf, sizeof(buf), "%llds", a);
	else if (a < 3600)
		snprintf(buf, sizeof(buf), "%lldm%02llds", a / 60, a % 60);
	else if (a < 86400)
		snprintf(buf, sizeof(buf), "%lldh%02lldm", a / 3600,
		    a / 60 % 60);
	else
		snprintf(buf, sizeof(buf), "%lldd%02lldh", a / 86400,
		    a / 3600 % 24);
	return xstrdup(buf);
}

/* A member as text: "since" (epoch seconds, amtgwd) as its age. */
static char *
member_str(const char *key, json_t *v)
{
	if (strcmp(key, "since") == 0 && json_is_integer(v))
		return age_str(json_integer_value(v));
	return value_str(v);
}

static int
is_table(json_t *v)
{
	size_t	 i;
	json_t	*row;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return 0;
	json_array_foreach(v, i, row) {
		if (!json_is_object(row))
			return 0;
	}
	return 1;
}

static void
table_fill(struct table *t, json_t *rows)
{
	json_t		*row, *v;
	const char	*key;
	size_t		 r, c;

	json_array_foreach(rows, r, row) {
		for (c = 0; c < t->ncols; c++) {
			key = t->keys[c];
			if ((v = json_object_get(row, key)) == NULL)
				v = json_null();
			t->cells[r * t->ncols + c] = member_str(key, v);
			if (strlen(t->cells[r * t->ncols + c]) > t->width[c])
				t->width[c] = strlen(t->cells[r * t->ncols + c]);
			if (!json_is_number(v) && !json_is_null(v))
				t->numeric[c] = 0;
		}
	}
}

static void
table_print_row(const struct table *t, const char *const *cells)
{
	size_t	c;
	int	w;

	for (c = 0; c < t->ncols; c++) {
		w = (int)t->width[c];
		if (c + 1 == t->ncols && !t->numeric[c])
			printf("%s\n", cells[c]);
		else if (t->numeric[c])
			printf("%*s%s", w, cells[c], c + 1 == t->ncols ? "\n" :
			    "  ");
		else
			printf("%-*s  ", w, cells[c]);
	}
}

/* Columns are the keys of the first row, in its order. */
static void
print_table(json_t *rows)
{
	struct table	 t;
	json_t		*first = json_array_get(rows, 0), *v;
	const char	*key;
	size_t		 c = 0, i;

	memset(&t, 0, sizeof(t));
	t.ncols = json_object_size(first);
	t.nrows = json_array_size(rows);
	if (t.ncols == 0)
		return;
	t.keys = calloc(t.ncols, sizeof(*t.keys));
	t.cells = calloc(t.ncols * t.nrows, sizeof(*t.cells));
	t.width = calloc(t.ncols, sizeof(*t.width));
	t.numeric = calloc(t.ncols, sizeof(*t.numeric));
	if (!t.keys || !t.cells || !t.width || !t.numeric) {
		perror("amtctl");
		exit(EX_OSERR);
	}
	json_object_foreach(first, key, v) {
		t.keys[c] = key;
		t.width[c] = strlen(key);
		t.numeric[c++] = 1;
	}
	table_fill(&t, rows);
	table_print_row(&t, t.keys);
	for (i = 0; i < t.nrows; i++)
		table_print_row(&t, (const char *const *)&t.cells[i * t.ncols]);
	for (i = 0; i < t.ncols * t.nrows; i++)
		free(t.cells[i]);
	free(t.keys);
	free(t.cells);
	free(t.width);
	free(t.numeric);
}

/* Longest dotted name among the non-table members (for alignment). */
static size_t
flat_width(json_t *obj, size_t prefix)
{
	const char	*key;
	json_t		*v;
	size_t		 w = 0, n;

	json_object_foreach(obj, key, v) {
		if (is_table(v))
			continue;
		n = prefix + strlen(key);
		if (json_is_object(v) && json_object_size(v) > 0)
			n = flat_width(v, n + 1);
		if (n > w)
			w = n;
	}
	return w;
}

/* "name value" lines; nested objects as "outer.inner value". */
static void
print_flat(json_t *obj, const char *prefix, int width)
{
	const char	*key;
	json_t		*v;
	char		*name, *s;
	size_t		 len;

	json_object_foreach(obj, key, v) {
		if (is_table(v))
			continue;
		len = strlen(prefix) + strlen(key) + 2;
		if ((name = malloc(len)) == NULL) {
			perror("amtctl");
			exit(EX_OSERR);
		}
		snprintf(name, len, "%s%s%s", prefix, *prefix ? "." : "", key);
		if (json_is_object(v) && json_object_size(v) > 0)
			print_flat(v, name, width);
		else {
			s = member_str(key, v);
			printf("%-*s  %s\n", width, name, s);
			free(s);
		}
		free(name);
	}
}

/* Tables get their member name as a title when there is more than one
 * member in the reply. */
static void
print_text(json_t *reply)
{
	const char	*key;
	json_t		*v;
	size_t		 w;
	int		 titles, printed;

	w = flat_width(reply, 0);
	print_flat(reply, "", (int)w);
	printed = w > 0;
	titles = json_object_size(reply) > 1;
	json_object_foreach(reply, key, v) {
		if (!is_table(v))
			continue;
		if (printed)
			printf("\n");
		if (titles)
			printf("%s:\n", key);
		print_table(v);
		printed = 1;
	}
}

int
main(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "json",	no_argument,		NULL,	'j' },
		{ "socket",	required_argument,	NULL,	'S' },
		{ "help",	no_argument,		NULL,	'h' },
		{ NULL,		0,			NULL,	0 }
	};
	const char			*path = NULL, *err;
	json_t				*reply;
	char				*line, *s;
	int				 ch, ex, json = 0;

	while ((ch = getopt_long(argc, argv, "hjS:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'S':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	line = join_words(argc - optind, argv + optind);
	reply = request(path, line, &ex);
	free(line);
	if (reply == NULL)
		return ex;
	if (!json_is_object(reply)) {
		fprintf(stderr, "amtctl: reply is not a JSON object\n");
		return EX_PROTOCOL;
	}
	if ((err = json_string_value(json_object_get(reply, "error"))) !=
	    NULL) {
		fprintf(stderr, "amtctl: %s\n", err);
		json_decref(reply);
		return 1;
	}
	if (json) {
		if ((s = json_dumps(reply, JSON_INDENT(2))) != NULL)
			printf("%s\n", s);
		free(s);
	} else
		print_text(reply);
	json_decref(reply);
	return fflush(stdout) == 0 ? 0 : EX_IOERR;
}
