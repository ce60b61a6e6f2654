/*
 * Between the state file's writer (statefile.c) and its restore at
 * start (statefile_restore.c).
 */
#ifndef AMT_RELAY_STATEFILE_PRIV_H
#define AMT_RELAY_STATEFILE_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "statefile.h"

struct relayd;
struct relay_conf;
struct tunnel;

struct statefile {
	struct event	*ev;		/* the once-a-second check */
	uint64_t	 sig;		/* of the state last written */
	bool		 failed;	/* the last write failed (logged) */
	/* restore at start */
	struct relayd	*rd;
	struct tunnel	*cur;		/* tunnel being restored, or NULL */
	time_t		 away;		/* seconds since the file was written */
	unsigned	 skipped;
	uint8_t		*srcs;		/* one group's sources, packed */
};

void	sf_addrset(const struct relay_conf *, uint8_t [SF_SUM_LEN]);
void	sf_restore(struct relayd *);

#endif
