/* Between lib/conf.c, lib/conf_value.c and lib/conf_log.c. */
#ifndef AMT_CONF_PRIV_H
#define AMT_CONF_PRIV_H

#include <stdio.h>

#include "amt/conf.h"

void	conf_value_reset(const struct conf_opt *, void *);
void	conf_value_print(const struct conf_opt *, const void *, FILE *);
/* conf_log.c */
int	conf_log_set(const struct conf_opt *, int *, const char *, char *,
	    size_t);
void	conf_log_print(const struct conf_opt *, int, FILE *);

#endif
