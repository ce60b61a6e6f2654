/*
 * The monotonic clock in milliseconds, for rates and back-off windows:
 * never steps with the wall clock.
 */
#ifndef AMT_CLOCK_H
#define AMT_CLOCK_H

#include <stdint.h>

uint64_t	 clock_mono_ms(void);

#endif
