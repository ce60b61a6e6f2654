/*
 * no-mroute.so: an LD_PRELOAD shim that makes a kernel with multicast
 * routing look like one without (CONFIG_IP_MROUTE, CONFIG_IPV6_MROUTE
 * off): setsockopt(MRT_INIT) and setsockopt(MRT6_INIT) fail with
 * ENOPROTOOPT, as such a kernel answers; every other option goes to the
 * C library.  The scenarios preload it into mroute-probe when
 * AMT_TEST_NO_MROUTE=1, to prove their skip path on any kernel.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);

int
setsockopt(int s, int level, int opt, const void *val, socklen_t len)
{
	static setsockopt_fn	real;

	if ((level == IPPROTO_IP && opt == MRT_INIT) ||
	    (level == IPPROTO_IPV6 && opt == MRT6_INIT)) {
		errno = ENOPROTOOPT;
		return (-1);
	}
	if (real == NULL)
		real = (setsockopt_fn)dlsym(RTLD_NEXT, "setsockopt");
	if (real == NULL) {
		errno = ENOSYS;
		return (-1);
	}
	return (real(s, level, opt, val, len));
}
