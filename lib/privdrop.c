/*
 * Privilege drop: switch to an unprivileged user keeping a few
 * capabilities (relay: CAP_NET_RAW; gateway: CAP_NET_ADMIN), then check
 * that it worked.  Raw capget/capset from <linux/capability.h> rather
 * than libcap: four calls on two 64-bit masks do not justify a library
 * dependency in the daemons and their container images.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <linux/capability.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "amt/daemon.h"

/* Permitted, effective, inheritable as 64-bit masks. */
struct capsets {
	uint64_t	prm, eff, inh;
};

static int
caps_get(struct capsets *c)
{
	struct __user_cap_header_struct	hdr = {
		_LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	d[2];

	if (syscall(SYS_capget, &hdr, d) == -1)
		return -1;
	c->prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	c->eff = d[0].effective | (uint64_t)d[1].effective << 32;
	c->inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int
caps_set(const struct capsets *c)
{
	struct __user_cap_header_struct	hdr = {
		_LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	d[2];

	d[0].permitted = (uint32_t)c->prm;
	d[1].permitted = (uint32_t)(c->prm >> 32);
	d[0].effective = (uint32_t)c->eff;
	d[1].effective = (uint32_t)(c->eff >> 32);
	d[0].inheritable = (uint32_t)c->inh;
	d[1].inheritable = (uint32_t)(c->inh >> 32);
	return (int)syscall(SYS_capset, &hdr, d);
}

static int
caps_mask(const int *caps, size_t n, uint64_t *m, char *err, size_t len)
{
	size_t	i;

	*m = 0;
	for (i = 0; i < n; i++) {
		if (caps[i] < 0 || caps[i] > 63) {
			snprintf(err, len, "bad capability %d", caps[i]);
			return -1;
		}
		*m |= UINT64_C(1) << caps[i];
	}
	return 0;
}

/* setgroups/setgid/setuid, keeping the permitted capabilities. */
static int
switch_user(const struct passwd *pw, char *err, size_t len)
{
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid &&
	    getgid() == pw->pw_gid)
		return 0;		/* started as that user (systemd User=) */
	if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) == -1 ||
	    setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1 ||
	    prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L) == -1) {
		snprintf(err, len, "switching to user %s: %s", pw->pw_name,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
caps_limit(uint64_t want, char *err, size_t len)
{
	struct capsets	c;
	int		i;

	if (caps_get(&c) == -1) {
		snprintf(err, len, "capget: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < 64; i++)
		if ((want >> i & 1) && !(c.prm >> i & 1)) {
			snprintf(err, len, "capability %d is not permitted", i);
			return -1;
		}
	c.prm = c.eff = want;
	c.inh = 0;
	if (caps_set(&c) == -1) {
		snprintf(err, len, "capset: %s", strerror(errno));
		return -1;
	}
	/* Not in every kernel (4.3+); nothing to clear where absent. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L) == -1 &&
	    errno != EINVAL) {
		snprintf(err, len, "clearing ambient capabilities: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Trust nothing: read back ids and capabilities, try to regain root. */
static int
drop_check(const struct passwd *pw, uint64_t want, char *err, size_t len)
{
	struct capsets	c;
	uid_t		r, e, s;
	gid_t		rg, eg, sg;

	if (pw != NULL && (getresuid(&r, &e, &s) == -1 ||
	    getresgid(&rg, &eg, &sg) == -1 || r != pw->pw_uid ||
	    e != pw->pw_uid || s != pw->pw_uid || rg != pw->pw_gid ||
	    eg != pw->pw_gid || sg != pw->pw_gid)) {
		snprintf(err, len, "privilege drop failed: ids not %s's",
		    pw->pw_name);
		return -1;
	}
	if (pw != NULL && pw->pw_uid != 0 && setuid(0) != -1) {
		snprintf(err, len, "privilege drop failed: setuid(0) works");
		return -1;
	}
	if (caps_get(&c) == -1 || c.prm != want || c.eff != want ||
	    c.inh != 0) {
		snprintf(err, len, "privilege drop failed: capabilities "
		    "still %#llx", (unsigned long long)c.prm);
		return -1;
	}
	return 0;
}

int
daemon_drop_privs(const char *user, const int *caps, size_t ncaps,
    char *err, size_t len)
{
	struct passwd	*pw = NULL;
	uint64_t	 want;

	if (caps_mask(caps, ncaps, &want, err, len) == -1)
		return -1;
	if (user != NULL) {
		errno = 0;
		if ((pw = getpwnam(user)) == NULL) {
			snprintf(err, len, "user %s: %s", user, errno != 0 ?
			    strerror(errno) : "no such user");
			return -1;
		}
		if (switch_user(pw, err, len) == -1)
			return -1;
	}
	if (caps_limit(want, err, len) == -1)
		return -1;
	return drop_check(pw, want, err, len);
}
