/*
 * What gwtest-send and gwtest-recv share: the clock that stamps and
 * times packets, the i-th group of a run, and stopping on SIGTERM or
 * SIGINT.
 */
#ifndef GWTEST_COMMON_H
#define GWTEST_COMMON_H

#include <stdint.h>

#include "amt/addr.h"

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t	gwtest_now(void);
/* The i-th group: the base group plus i in its last 32 bits. */
void		gwtest_group(const struct amt_ip *, unsigned, struct amt_ip *);
/* From now on SIGTERM and SIGINT make gwtest_stopped() true. */
void		gwtest_signals(void);
int		gwtest_stopped(void);

#endif
