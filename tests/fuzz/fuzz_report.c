/*
 * Fuzz target: the report parser (relay side of a Membership Update),
 * every record and every source byte it hands out; the same bytes again
 * with their checksums made right (to reach the records), and the
 * checksum finisher over them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amt/cksum.h"
#include "amt/mcast.h"
#include "mcast_fix.h"

#define FUZZ_MAX_LEN	65600

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Touch every source address so that a bad pointer is caught. */
static unsigned
fuzz_touch(const struct mcast_record *rec, size_t alen)
{
	unsigned	sum = 0;
	size_t		i;

	for (i = 0; i < (size_t)rec->nsrc * alen; i++)
		sum += rec->srcs[i];
	return sum + rec->group.u.b[0];
}

static void
fuzz_report(const uint8_t *data, size_t len)
{
	struct mcast_report	r;
	struct mcast_record	rec;
	size_t			alen;
	unsigned		n = 0, sum = 0;

	if (mcast_report_parse(data, len, &r) != MCAST_OK)
		return;
	alen = r.family == AF_INET6 ? 16 : 4;
	while (mcast_report_next(&r, &rec) == 1) {
		if (rec.type < MCAST_MODE_IS_INCLUDE ||
		    rec.type > MCAST_BLOCK_OLD_SOURCES || ++n > r.nrec)
			abort();
		sum += fuzz_touch(&rec, alen);
	}
	(void)mcast_rec_name(sum & 7);
}

/* The same bytes with right checksums, then the checksum finisher. */
static void
fuzz_fixed(const uint8_t *data, size_t len)
{
	uint8_t	*copy;

	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		return;
	if (len > 0)
		memcpy(copy, data, len);
	fix_cksums(copy, len);
	fuzz_report(copy, len);
	(void)cksum_finish_l4(copy, len);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len > FUZZ_MAX_LEN)
		return 0;
	fuzz_report(data, len);
	fuzz_fixed(data, len);
	return 0;
}
