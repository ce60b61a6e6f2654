/*
 * Fuzz the parsers of untrusted text in the utility library: control
 * request lines (ctl_split) and addresses (addr_parse, ip_parse), as they
 * come from the control socket, the command line and config files.
 * Beyond not crashing, the results must hold their invariants.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amt/addr.h"
#include "amt/ctl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_split(const uint8_t *data, size_t len)
{
	char	line[CTL_MAX_LINE + 1], *argv[CTL_MAX_ARGS];
	int	argc, i;

	memcpy(line, data, len);
	line[len] = '\0';
	argc = ctl_split(line, argv, CTL_MAX_ARGS);
	if (argc < -1 || argc > CTL_MAX_ARGS)
		abort();
	for (i = 0; i < argc; i++) {
		if (argv[i] < line || argv[i] >= line + len ||
		    argv[i][0] == '\0' || strpbrk(argv[i], " \t\r\n") != NULL)
			abort();
	}
}

/* A parsed address prints and parses back to itself. */
static void
fuzz_addr(const uint8_t *data, size_t len)
{
	char			s[CTL_MAX_LINE + 1], out[ADDR_STRLEN];
	struct sockaddr_storage	a, b;
	struct amt_ip		ip;

	memcpy(s, data, len);
	s[len] = '\0';
	if (ip_parse(s, &ip) == 0 && ip_len(ip.family) == 0)
		abort();
	if (addr_parse(s, 2268, &a) != 0)
		return;
	addr_str((struct sockaddr *)&a, out, sizeof(out));
	if (addr_parse(out, 2268, &b) != 0 ||
	    !addr_eq((struct sockaddr *)&a, (struct sockaddr *)&b))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len > CTL_MAX_LINE)
		return 0;
	fuzz_split(data, len);
	fuzz_addr(data, len);
	return 0;
}
