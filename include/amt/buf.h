/*
 * Bounded byte reader and writer.  Every parse and every build of a packet
 * goes through these: no packet byte is read past its end and no struct is
 * ever cast over received bytes.  Multi-byte values are in network order on
 * the wire and in host order in the API.
 *
 * Every function returns 0 on success and -1 when the buffer is too short;
 * after the first failure the buffer is marked (err) and every later call
 * fails too, so a sequence of calls can be checked once at the end.
 */
#ifndef AMT_BUF_H
#define AMT_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rbuf {
	const uint8_t	*data;
	size_t		 len;
	size_t		 pos;
	bool		 err;
};

struct wbuf {
	uint8_t		*data;
	size_t		 cap;
	size_t		 len;
	bool		 err;
};

void		 rbuf_init(struct rbuf *, const void *, size_t);
size_t		 rbuf_left(const struct rbuf *);
const uint8_t	*rbuf_ptr(const struct rbuf *);
int		 rbuf_get_u8(struct rbuf *, uint8_t *);
int		 rbuf_get_n16(struct rbuf *, uint16_t *);
int		 rbuf_get_n32(struct rbuf *, uint32_t *);
int		 rbuf_get_bytes(struct rbuf *, void *, size_t);
int		 rbuf_skip(struct rbuf *, size_t);
/* Take the next n bytes as a reader of their own (and skip them here). */
int		 rbuf_sub(struct rbuf *, struct rbuf *, size_t);

void		 wbuf_init(struct wbuf *, void *, size_t);
int		 wbuf_add_u8(struct wbuf *, uint8_t);
int		 wbuf_add_n16(struct wbuf *, uint16_t);
int		 wbuf_add_n32(struct wbuf *, uint32_t);
int		 wbuf_add_bytes(struct wbuf *, const void *, size_t);
int		 wbuf_add_zero(struct wbuf *, size_t);
/* Overwrite a 16-bit value at an offset already written (checksums). */
int		 wbuf_set_n16(struct wbuf *, size_t, uint16_t);

#endif
