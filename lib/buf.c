/*
 * Bounded byte reader and writer (see include/amt/buf.h).
 */
#include <string.h>

#include "amt/buf.h"

void
rbuf_init(struct rbuf *b, const void *data, size_t len)
{
	b->data = data;
	b->len = data != NULL ? len : 0;
	b->pos = 0;
	b->err = false;
}

size_t
rbuf_left(const struct rbuf *b)
{
	return b->err ? 0 : b->len - b->pos;
}

const uint8_t *
rbuf_ptr(const struct rbuf *b)
{
	return b->data + b->pos;
}

/* Claim n bytes; returns their start or NULL (and marks the buffer). */
static const uint8_t *
rbuf_take(struct rbuf *b, size_t n)
{
	const uint8_t	*p;

	if (b->err || n > b->len - b->pos) {
		b->err = true;
		return NULL;
	}
	p = b->data + b->pos;
	b->pos += n;
	return p;
}

int
rbuf_get_u8(struct rbuf *b, uint8_t *v)
{
	const uint8_t	*p;

	if ((p = rbuf_take(b, 1)) == NULL)
		return -1;
	*v = p[0];
	return 0;
}

int
rbuf_get_n16(struct rbuf *b, uint16_t *v)
{
	const uint8_t	*p;

	if ((p = rbuf_take(b, 2)) == NULL)
		return -1;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return 0;
}

int
rbuf_get_n32(struct rbuf *b, uint32_t *v)
{
	const uint8_t	*p;

	if ((p = rbuf_take(b, 4)) == NULL)
		return -1;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	return 0;
}

int
rbuf_get_bytes(struct rbuf *b, void *out, size_t n)
{
	const uint8_t	*p;

	if ((p = rbuf_take(b, n)) == NULL)
		return -1;
	if (n > 0)
		memcpy(out, p, n);
	return 0;
}

int
rbuf_skip(struct rbuf *b, size_t n)
{
	return rbuf_take(b, n) == NULL ? -1 : 0;
}

int
rbuf_sub(struct rbuf *b, struct rbuf *sub, size_t n)
{
	const uint8_t	*p;

	if ((p = rbuf_take(b, n)) == NULL) {
		rbuf_init(sub, NULL, 0);
		sub->err = true;
		return -1;
	}
	rbuf_init(sub, p, n);
	return 0;
}

void
wbuf_init(struct wbuf *b, void *data, size_t cap)
{
	b->data = data;
	b->cap = data != NULL ? cap : 0;
	b->len = 0;
	b->err = false;
}

/* Claim n bytes of output; returns their start or NULL. */
static uint8_t *
wbuf_take(struct wbuf *b, size_t n)
{
	uint8_t	*p;

	if (b->err || n > b->cap - b->len) {
		b->err = true;
		return NULL;
	}
	p = b->data + b->len;
	b->len += n;
	return p;
}

int
wbuf_add_u8(struct wbuf *b, uint8_t v)
{
	uint8_t	*p;

	if ((p = wbuf_take(b, 1)) == NULL)
		return -1;
	p[0] = v;
	return 0;
}

int
wbuf_add_n16(struct wbuf *b, uint16_t v)
{
	uint8_t	*p;

	if ((p = wbuf_take(b, 2)) == NULL)
		return -1;
	p[0] = v >> 8;
	p[1] = v & 0xff;
	return 0;
}

int
wbuf_add_n32(struct wbuf *b, uint32_t v)
{
	uint8_t	*p;

	if ((p = wbuf_take(b, 4)) == NULL)
		return -1;
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
	return 0;
}

int
wbuf_add_bytes(struct wbuf *b, const void *src, size_t n)
{
	uint8_t	*p;

	if ((p = wbuf_take(b, n)) == NULL)
		return -1;
	if (n > 0)
		memcpy(p, src, n);
	return 0;
}

int
wbuf_add_zero(struct wbuf *b, size_t n)
{
	uint8_t	*p;

	if ((p = wbuf_take(b, n)) == NULL)
		return -1;
	memset(p, 0, n);
	return 0;
}

int
wbuf_set_n16(struct wbuf *b, size_t off, uint16_t v)
{
	if (b->err || off > b->len || b->len - off < 2)
		return -1;
	b->data[off] = v >> 8;
	b->data[off + 1] = v & 0xff;
	return 0;
}
