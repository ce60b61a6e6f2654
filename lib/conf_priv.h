/* Between lib/conf.c and lib/conf_value.c. */
#ifndef AMT_CONF_PRIV_H
#define AMT_CONF_PRIV_H

#include <stdio.h>

#include "amt/conf.h"

void	conf_value_reset(const struct conf_opt *, void *);
void	conf_value_print(const struct conf_opt *, const void *, FILE *);

#endif
