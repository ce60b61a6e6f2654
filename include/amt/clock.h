/*
 * The monotonic clock, for timeouts, rates, ages and back-off windows:
 * it never steps with the wall clock.  The wall clock (time(2)) is for
 * epoch times shown to an operator only.
 */
#ifndef AMT_CLOCK_H
#define AMT_CLOCK_H

#include <stdint.h>
#include <time.h>

uint64_t	 clock_mono_ms(void);
uint64_t	 clock_mono_us(void);
time_t		 clock_mono_s(void);

#endif
