/*
 * amtgwd built without c-ares: no DRIAD (RFC 8777).  --driad is refused
 * at start; the default session serves everything.
 */
#include "config.h"

#include "amt/log.h"
#include "gateway.h"

int
driad_start(struct gateway *gw)
{
	if (!gw->conf.driad)
		return 0;
	log_warnx("driad: amtgwd was built without c-ares");
	return -1;
}

void
driad_free(struct gateway *gw)
{
}

unsigned
driad_held_count(struct gateway *gw)
{
	return 0;
}
