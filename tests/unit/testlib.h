/*
 * Helpers shared by the unit tests of the IGMP/MLD and checksum code:
 * bytes from hex, addresses from text (the family follows the text: a
 * colon means IPv6), and the checks the IGMP and MLD tests make alike.
 * Every helper asserts with cmocka, so a failure names the test.
 */
#ifndef TESTS_UNIT_TESTLIB_H
#define TESTS_UNIT_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "amt/mcast.h"

size_t	 tl_unhex(const char *, uint8_t *, size_t);
void	 tl_ip(struct amt_ip *, const char *);
bool	 tl_ip_is(const struct amt_ip *, const char *);
void	 tl_fix(uint8_t *, size_t);
void	 tl_parse_hex(const char *, int, struct mcast_report *, uint8_t *,
	    size_t);
void	 tl_expect_hex(const uint8_t *, ssize_t, const char *);
void	 tl_expect_single(const char *, int, uint8_t, int, const char *);
int	 tl_query_lie(const char *, size_t, uint8_t, struct mcast_query *);
void	 tl_expect_rec(struct mcast_report *, int, const char *, uint16_t,
	    const char *);
void	 tl_expect_lie(const char *, size_t, uint8_t, int);
void	 tl_expect_zero_query(const char *, size_t, uint8_t, const char *,
	    size_t);
void	 tl_expect_truncations(const char *const *, size_t);
ssize_t	 tl_build_six(const char *, uint8_t *, size_t);

#endif
