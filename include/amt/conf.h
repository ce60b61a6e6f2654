/*
 * One option table for the command line and the configuration file.
 *
 * A daemon describes each setting once, as a struct conf_opt pointing
 * into its own configuration struct (CONF_FIELD), and gets:
 * - getopt_long built from the table (long name, short letter);
 * - a file of "key value" lines with the same names as the long
 *   options, '#' comments and blank lines; unknown keys and bad values
 *   are reported as "FILE:LINE: message";
 * - conf_dump printing the effective configuration in file syntax (-n);
 * - conf_usage printing the options with their help.
 *
 * Order: defaults (the daemon's) < file < command line.  The command
 * line is remembered in struct conf_args (pointers into argv), so a
 * reload reads the file into a fresh struct, applies the same command
 * line on top and either takes the result whole or keeps the old one:
 *
 *	struct conf_args a;
 *	if (conf_getopt(opts, argc, argv, &a, err, sizeof(err)) == -1)
 *		usage error;
 *	defaults(&c);
 *	if (conf_load(opts, &a, &c, err, sizeof(err)) == -1)
 *		error;		(then the daemon's checks between options)
 *
 * Common flags handled here, never in the table: -f/--config FILE,
 * -n/--check, -h/--help, -V/--version.
 */
#ifndef AMT_CONF_H
#define AMT_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "amt/addr.h"

#define CONF_MAX_OPTS	64	/* entries in one table */
#define CONF_ARGS_MAX	128	/* options on one command line */
#define CONF_ADDRS_MAX	8	/* addresses in one CONF_ADDRS list */
#define CONF_PREFIXES_MAX 32	/* prefixes in one CONF_PREFIXES list */
#define CONF_LINE_MAX	1024	/* bytes in one file line */
#define CONF_FILE_MAX	(1024 * 1024)

enum conf_kind {
	CONF_BOOL,	/* bool: a flag on the command line (--name=no
			   also works), yes/no/true/false/on/off/1/0 */
	CONF_COUNT,	/* int, +1 per use (-v -v); command line only */
	CONF_UINT,	/* unsigned integer member of any size, min..max */
	CONF_DURATION,	/* like CONF_UINT, in seconds; 90, 90s, 5m, 2h, 1d */
	CONF_STRING,	/* char[size]: one word, not empty */
	CONF_IFNAME,	/* char[size >= IF_NAMESIZE]: an interface name */
	CONF_ADDR,	/* struct amt_ip */
	CONF_ADDRS,	/* struct conf_addrs; one per use, in order */
	CONF_PREFIXES,	/* struct conf_prefixes: ADDR[/LEN], one per use */
	CONF_SOCKADDR,	/* struct sockaddr_storage: addr, addr:port,
			   [v6]:port; min is the default port */
	CONF_LOG_LEVEL,	/* int: a syslog level by name (warning, info,
			   debug) */
	CONF_LOG_FACILITY, /* int: a syslog facility by name (daemon, user,
			   local0..local7) */
	CONF_CUSTOM,	/* set/print callbacks below */
};

/* flags */
#define CONF_F_CMDLINE	0x01	/* command line only: not a file key,
				   not printed by conf_dump */
#define CONF_F_UNICAST	0x02	/* CONF_ADDR(S), CONF_SOCKADDR: reject
				   the unspecified and multicast addresses */

struct conf_addrs {
	int		n;
	struct amt_ip	a[CONF_ADDRS_MAX];
};

struct conf_prefixes {
	int			n;
	struct amt_prefix	p[CONF_PREFIXES_MAX];
};

struct conf_opt {
	const char	*name;		/* long option and file key */
	int		 ch;		/* short option letter, 0: none */
	enum conf_kind	 kind;
	size_t		 off;		/* CONF_FIELD(type, member) */
	size_t		 size;
	unsigned long long min, max;	/* CONF_UINT, CONF_DURATION */
	int		 flags;
	const char	*arg;		/* argument name in the usage */
	const char	*help;
	/* CONF_CUSTOM: set from one value (0, or -1 with a message in
	 * err); print zero or more "name value" lines. */
	int		(*set)(void *, const char *, char *, size_t);
	void		(*print)(const void *, const char *, FILE *);
};
/*
 * Tables use designated initializers only (-Wextra warns about partial
 * positional ones):
 *	{ .name = "qrv", .kind = CONF_UINT,
 *	    CONF_FIELD(struct relay_conf, qrv), .min = 1, .max = 7,
 *	    .help = "robustness variable" },
 *	...
 *	CONF_END
 */
#define CONF_FIELD(type, member) \
	.off = offsetof(type, member), .size = sizeof(((type *)0)->member)
#define CONF_END	{ .name = NULL }

/* What the command line said, kept for reloads (points into argv). */
struct conf_args {
	const char	*file;		/* -f, NULL if not given */
	int		 check;		/* -n */
	int		 help;		/* -h */
	int		 version;	/* -V */
	int		 optind;	/* first operand in argv */
	int		 n;
	struct {
		const struct conf_opt	*opt;
		const char		*val;	/* NULL for flags */
	}		 v[CONF_ARGS_MAX];
};

/*
 * Parse argv with getopt_long built from the table.  Values are checked
 * by conf_apply/conf_load, not here.  Operands are left at
 * argv[a->optind..].  0, or -1 with a message in err.
 */
int	conf_getopt(const struct conf_opt *, int, char **,
	    struct conf_args *, char *, size_t);
/*
 * Start-up: conf_getopt, then -h, -V and stray operands.  -1 to go on,
 * or the exit code (EX_OK; EX_USAGE, what is wrong printed on stderr).
 */
int	conf_cmdline(const struct conf_opt *, const char *, int, char **,
	    struct conf_args *);
/* The command line's values onto conf.  0, or -1 with err. */
int	conf_apply(const struct conf_opt *, const struct conf_args *, void *,
	    char *, size_t);
/* The file (if a->file) then the command line onto conf. */
int	conf_load(const struct conf_opt *, const struct conf_args *, void *,
	    char *, size_t);
/* A file onto conf; errors "PATH:LINE: message". */
int	conf_load_file(const struct conf_opt *, const char *, void *,
	    char *, size_t);
/* The same over text in memory (name is used in messages). */
int	conf_load_buf(const struct conf_opt *, const char *, const char *,
	    size_t, void *, char *, size_t);
/* One value for one option, as from the command line or a file. */
int	conf_set(const struct conf_opt *, void *, const char *, char *,
	    size_t);
const struct conf_opt *conf_find(const struct conf_opt *, const char *);
/* The effective configuration in file syntax. */
void	conf_dump(const struct conf_opt *, const void *, FILE *);
/* Options and their help, for -h. */
void	conf_usage(const struct conf_opt *, const char *, FILE *);
/*
 * Syslog levels (debug, info, warning) and facilities (daemon, user,
 * local0..local7) by name, case-insensitive: the value or -1; the name
 * or NULL.
 */
int		 conf_syslog_level(const char *);
const char	*conf_syslog_level_name(int);
int		 conf_syslog_facility(const char *);
const char	*conf_syslog_facility_name(int);

#endif
