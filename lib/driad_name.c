/*
 * Domain names in wire form (RFC 1035 3.1): read from a message with or
 * without compression pointers, printed and parsed in text form,
 * compared, and rewritten by a DNAME.
 */
#include <stdio.h>
#include <string.h>

#include "amt/driad.h"

/* Pointers followed within one name, beyond the backwards rule. */
#define NAME_MAX_HOPS	64

static uint8_t
name_fold(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

static bool
name_bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (name_fold(a[i]) != name_fold(b[i]))
			return false;
	}
	return true;
}

/*
 * RFC 1035 4.1.4: a pointer (its first octet already read) refers to a
 * prior occurrence of a name.  Only strictly backward pointers are
 * followed, so a chain of pointers alone cannot loop; labels between them
 * make the name grow until its length limit.  The caller's cursor resumes
 * after the first pointer.
 */
static int
name_pointer(struct rbuf *cur, const struct rbuf *msg, uint8_t hi,
    struct rbuf **resume, unsigned *hops)
{
	uint8_t	lo;
	size_t	at, off;

	if (msg == NULL || ++*hops > NAME_MAX_HOPS)
		return -1;
	at = (size_t)(rbuf_ptr(cur) - msg->data) - 1;
	if (rbuf_get_u8(cur, &lo) == -1)
		return -1;
	if (*resume != NULL) {
		**resume = *cur;
		*resume = NULL;
	}
	off = (size_t)(hi & 0x3f) << 8 | lo;
	if (off >= at)
		return -1;
	rbuf_init(cur, msg->data, msg->len);
	return rbuf_skip(cur, off);
}

int
driad_name_read(struct rbuf *b, const struct rbuf *msg, struct driad_name *n)
{
	struct rbuf	 cur = *b, *resume = b;
	unsigned	 hops = 0;
	uint8_t		 len;

	n->len = 0;
	for (;;) {
		if (rbuf_get_u8(&cur, &len) == -1)
			goto bad;
		if ((len & 0xc0) == 0xc0) {
			if (name_pointer(&cur, msg, len, &resume, &hops) == -1)
				goto bad;
			continue;
		}
		/* 0x40 and 0x80: extended and reserved label types. */
		if (len > DRIAD_LABEL_MAX ||
		    (size_t)n->len + 1 + len > DRIAD_NAME_MAX)
			goto bad;
		n->b[n->len] = len;
		if (rbuf_get_bytes(&cur, n->b + n->len + 1, len) == -1)
			goto bad;
		n->len += 1 + len;
		if (len == 0)
			break;
	}
	if (resume != NULL)
		*resume = cur;
	return 0;
bad:
	b->err = true;
	return -1;
}

bool
driad_name_eq(const struct driad_name *a, const struct driad_name *b)
{
	return a->len == b->len && name_bytes_eq(a->b, b->b, a->len);
}

/* One octet of a label in text form. */
static int
name_put_octet(uint8_t c, char *out, size_t size, size_t *o)
{
	int	n;

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_')
		n = snprintf(out + *o, size - *o, "%c", c);
	else if (c == '.' || c == '\\')
		n = snprintf(out + *o, size - *o, "\\%c", c);
	else
		n = snprintf(out + *o, size - *o, "\\%03u", c);
	if (n < 0 || (size_t)n >= size - *o)
		return -1;
	*o += (size_t)n;
	return 0;
}

int
driad_name_str(const struct driad_name *n, char *out, size_t size)
{
	size_t	i = 0, o = 0, j, len;

	if (size < 2)
		return -1;
	while (i < n->len && n->b[i] != 0) {
		len = n->b[i++];
		if (len > n->len - i)
			return -1;
		if (o > 0) {
			if (o + 1 >= size)
				return -1;
			out[o++] = '.';
		}
		for (j = 0; j < len; j++) {
			if (name_put_octet(n->b[i + j], out, size, &o) == -1)
				return -1;
		}
		i += len;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return o < size ? 0 : -1;
}

/* An escape after '\': "\DDD" (decimal) or "\X"; the octet, or -1. */
static int
name_unescape(const char **sp)
{
	const char	*s = *sp;
	int		 v;

	if (s[0] >= '0' && s[0] <= '9') {
		if (s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
			return -1;
		v = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
		*sp = s + 3;
		return v > 255 ? -1 : v;
	}
	if (s[0] == '\0')
		return -1;
	*sp = s + 1;
	return (uint8_t)s[0];
}

int
driad_name_from_str(const char *s, struct driad_name *n)
{
	size_t	lab = 0;	/* the current label's length octet */
	int	c;

	if (strcmp(s, ".") == 0) {
		n->b[0] = 0;
		n->len = 1;
		return 0;
	}
	n->b[0] = 0;
	n->len = 1;
	while (*s != '\0') {
		if (*s == '.') {
			/* Empty labels ("a..b", ".a") are not names. */
			if (n->b[lab] == 0)
				return -1;
			if (*++s == '\0')
				break;
			lab = n->len;
			if (n->len >= DRIAD_NAME_MAX)
				return -1;
			n->b[n->len++] = 0;
			continue;
		}
		if (*s == '\\') {
			s++;
			if ((c = name_unescape(&s)) == -1)
				return -1;
		} else
			c = (uint8_t)*s++;
		if (n->b[lab] == DRIAD_LABEL_MAX || n->len >= DRIAD_NAME_MAX)
			return -1;
		n->b[lab]++;
		n->b[n->len++] = (uint8_t)c;
	}
	if (n->b[lab] == 0 || n->len >= DRIAD_NAME_MAX)
		return -1;
	n->b[n->len++] = 0;
	return 0;
}

/* Offset of the label of n at which the name owner starts, or -1. */
static int
name_suffix_at(const struct driad_name *n, const struct driad_name *owner)
{
	size_t	i = 0;

	while (i < n->len) {
		if (n->len - i == owner->len &&
		    name_bytes_eq(n->b + i, owner->b, owner->len))
			return (int)i;
		if (n->b[i] == 0)
			break;
		i += 1 + (size_t)n->b[i];
	}
	return -1;
}

int
driad_name_subst(struct driad_name *n, const struct driad_name *owner,
    const struct driad_name *target)
{
	int	at;

	/* RFC 6672 2.2: the DNAME owner itself is not rewritten. */
	if ((at = name_suffix_at(n, owner)) <= 0)
		return 0;
	/* RFC 6672 2.2: a result too long is YXDOMAIN. */
	if ((size_t)at + target->len > DRIAD_NAME_MAX)
		return -1;
	memcpy(n->b + at, target->b, target->len);
	n->len = (uint8_t)(at + target->len);
	return 1;
}
