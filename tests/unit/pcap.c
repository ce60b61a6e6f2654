/*
 * A minimal capture file reader for tests (see pcap.h).  The whole file
 * is read into memory; every field is read through bounds checks.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amt/buf.h"
#include "pcap.h"

#define PCAP_MAGIC		0xa1b2c3d4U
#define PCAP_MAGIC_NS		0xa1b23c4dU
#define PCAPNG_SHB		0x0a0d0d0aU
#define PCAPNG_IDB		0x00000001U
#define PCAPNG_SPB		0x00000003U
#define PCAPNG_EPB		0x00000006U
#define PCAPNG_BOM		0x1a2b3c4dU

static uint32_t
pcap_swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) |
	    (v << 24);
}

/* A 32-bit value of the file at off, in the file's byte order. */
static int
pcap_u32(const struct pcap_file *f, size_t off, uint32_t *v)
{
	const uint8_t	*p;

	if (off > f->len || f->len - off < 4)
		return -1;
	p = f->data + off;
	*v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
	if (f->swap)
		*v = pcap_swap32(*v);
	return 0;
}

static int
pcap_u16(const struct pcap_file *f, size_t off, uint16_t *v)
{
	const uint8_t	*p;

	if (off > f->len || f->len - off < 2)
		return -1;
	p = f->data + off;
	*v = f->swap ? (uint16_t)(p[0] << 8 | p[1]) :
	    (uint16_t)(p[1] << 8 | p[0]);
	return 0;
}

static int
pcap_read_all(struct pcap_file *f, const char *path)
{
	FILE	*fp;
	long	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0 ||
	    (f->data = malloc(n > 0 ? (size_t)n : 1)) == NULL ||
	    fread(f->data, 1, (size_t)n, fp) != (size_t)n) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	f->len = (size_t)n;
	return 0;
}

int
pcap_open(struct pcap_file *f, const char *path)
{
	uint32_t	magic, link;

	memset(f, 0, sizeof(*f));
	if (pcap_read_all(f, path) == -1 || pcap_u32(f, 0, &magic) == -1)
		goto fail;
	if (magic == PCAPNG_SHB) {
		f->ng = true;	/* byte order comes with each SHB */
		return 0;
	}
	if (magic == pcap_swap32(PCAP_MAGIC) ||
	    magic == pcap_swap32(PCAP_MAGIC_NS))
		f->swap = true;
	else if (magic != PCAP_MAGIC && magic != PCAP_MAGIC_NS)
		goto fail;
	if (pcap_u32(f, 20, &link) == -1)
		goto fail;
	f->linktype = (int)(link & 0xffff);
	f->pos = 24;
	return 0;
fail:
	pcap_close(f);
	return -1;
}

void
pcap_close(struct pcap_file *f)
{
	free(f->data);
	memset(f, 0, sizeof(*f));
}

static int
pcap_next_classic(struct pcap_file *f, const uint8_t **frame, size_t *len,
    int *link)
{
	uint32_t	caplen;

	if (f->pos == f->len)
		return 0;
	if (pcap_u32(f, f->pos + 8, &caplen) == -1 ||
	    f->len - f->pos - 16 < caplen)
		return -1;
	*frame = f->data + f->pos + 16;
	*len = caplen;
	*link = f->linktype;
	f->pos += 16 + caplen;
	return 1;
}

/* Section header: byte order and a fresh interface list. */
static int
pcapng_shb(struct pcap_file *f, size_t off)
{
	uint32_t	bom;

	f->swap = false;
	if (pcap_u32(f, off + 8, &bom) == -1)
		return -1;
	if (bom == pcap_swap32(PCAPNG_BOM))
		f->swap = true;
	else if (bom != PCAPNG_BOM)
		return -1;
	f->niface = 0;
	return 0;
}

static int
pcapng_idb(struct pcap_file *f, size_t off)
{
	uint16_t	link;

	if (f->niface == PCAP_MAX_IFACES || pcap_u16(f, off + 8, &link) == -1)
		return -1;
	f->iface_link[f->niface++] = link;
	return 0;
}

/* Enhanced or simple packet block: 1 and the frame, or -1. */
static int
pcapng_packet(struct pcap_file *f, uint32_t type, size_t off, uint32_t blen,
    const uint8_t **frame, size_t *len, int *link)
{
	uint32_t	iface = 0, caplen;
	size_t		hdr;

	if (type == PCAPNG_EPB) {
		hdr = 28;
		if (pcap_u32(f, off + 8, &iface) == -1 ||
		    pcap_u32(f, off + 20, &caplen) == -1)
			return -1;
	} else {
		hdr = 12;
		if (pcap_u32(f, off + 8, &caplen) == -1)
			return -1;
		if (caplen > blen - 16)
			caplen = blen - 16;
	}
	if (iface >= f->niface || blen < hdr + 4 || caplen > blen - hdr - 4)
		return -1;
	*frame = f->data + off + hdr;
	*len = caplen;
	*link = f->iface_link[iface];
	return 1;
}

static int
pcap_next_ng(struct pcap_file *f, const uint8_t **frame, size_t *len,
    int *link)
{
	uint32_t	type, blen;
	size_t		off;
	int		rc;

	while (f->pos < f->len) {
		off = f->pos;
		if (pcap_u32(f, off, &type) == -1)
			return -1;
		if (type == PCAPNG_SHB && pcapng_shb(f, off) == -1)
			return -1;
		if (pcap_u32(f, off + 4, &blen) == -1 || blen < 12 ||
		    blen % 4 != 0 || blen > f->len - off)
			return -1;
		f->pos += blen;
		if (type == PCAPNG_IDB && pcapng_idb(f, off) == -1)
			return -1;
		if (type == PCAPNG_EPB || type == PCAPNG_SPB) {
			rc = pcapng_packet(f, type, off, blen, frame, len,
			    link);
			return rc;
		}
	}
	return 0;
}

int
pcap_next(struct pcap_file *f, const uint8_t **frame, size_t *len,
    int *link)
{
	if (f->data == NULL)
		return -1;
	return f->ng ? pcap_next_ng(f, frame, len, link) :
	    pcap_next_classic(f, frame, len, link);
}

/* Skip the link header; the IP version then tells the rest. */
static int
pcap_skip_link(struct rbuf *b, int link)
{
	uint16_t	etype;

	switch (link) {
	case PCAP_LINK_ETHERNET:
		rbuf_skip(b, 12);
		rbuf_get_n16(b, &etype);
		while (etype == 0x8100 || etype == 0x88a8) {
			rbuf_skip(b, 2);
			rbuf_get_n16(b, &etype);
		}
		break;
	case PCAP_LINK_SLL:
		rbuf_skip(b, 16);
		break;
	case PCAP_LINK_RAW:
	case PCAP_LINK_IPV4:
	case PCAP_LINK_IPV6:
		break;
	default:
		return -1;
	}
	return b->err ? -1 : 0;
}

/* IPv4 header: protocol UDP, not a fragment; b is left on the UDP. */
static int
pcap_ipv4(struct rbuf *b, struct pcap_udp *u)
{
	struct rbuf	ip;
	uint8_t		vhl, proto;
	uint16_t	tlen, frag;

	if (rbuf_left(b) < 20)
		return -1;
	vhl = rbuf_ptr(b)[0];
	tlen = (uint16_t)(rbuf_ptr(b)[2] << 8 | rbuf_ptr(b)[3]);
	if (tlen < (vhl & 0x0f) * 4 || rbuf_sub(b, &ip, tlen) == -1)
		return -1;
	rbuf_skip(&ip, 6);
	rbuf_get_n16(&ip, &frag);
	rbuf_skip(&ip, 1);
	rbuf_get_u8(&ip, &proto);
	rbuf_skip(&ip, 2);
	rbuf_get_bytes(&ip, u->src, 4);
	rbuf_get_bytes(&ip, u->dst, 4);
	rbuf_skip(&ip, (size_t)(vhl & 0x0f) * 4 - 20);
	if (ip.err || proto != IPPROTO_UDP || (frag & 0x3fff) != 0)
		return -1;
	u->family = AF_INET;
	*b = ip;
	return 0;
}

/* IPv6 header and extension headers up to UDP. */
static int
pcap_ipv6(struct rbuf *b, struct pcap_udp *u)
{
	struct rbuf	ip;
	uint8_t		nh, elen;
	uint16_t	plen;
	int		i;

	if (rbuf_left(b) < 40)
		return -1;
	plen = (uint16_t)(rbuf_ptr(b)[4] << 8 | rbuf_ptr(b)[5]);
	nh = rbuf_ptr(b)[6];
	if (rbuf_sub(b, &ip, 40 + (size_t)plen) == -1)
		return -1;
	rbuf_skip(&ip, 8);
	rbuf_get_bytes(&ip, u->src, 16);
	rbuf_get_bytes(&ip, u->dst, 16);
	for (i = 0; i < 8 && (nh == 0 || nh == 43 || nh == 60); i++) {
		rbuf_get_u8(&ip, &nh);
		rbuf_get_u8(&ip, &elen);
		rbuf_skip(&ip, (size_t)elen * 8 + 6);
	}
	if (ip.err || nh != IPPROTO_UDP)
		return -1;
	u->family = AF_INET6;
	*b = ip;
	return 0;
}

int
pcap_udp(const uint8_t *frame, size_t len, int link, struct pcap_udp *u)
{
	struct rbuf	b, udp;
	uint16_t	ulen;
	int		rc;

	memset(u, 0, sizeof(*u));
	rbuf_init(&b, frame, len);
	if (pcap_skip_link(&b, link) == -1 || rbuf_left(&b) < 1)
		return -1;
	switch (rbuf_ptr(&b)[0] >> 4) {
	case 4:
		rc = pcap_ipv4(&b, u);
		break;
	case 6:
		rc = pcap_ipv6(&b, u);
		break;
	default:
		return -1;
	}
	if (rc == -1 || rbuf_left(&b) < 8)
		return -1;
	ulen = (uint16_t)(rbuf_ptr(&b)[4] << 8 | rbuf_ptr(&b)[5]);
	if (ulen < 8 || rbuf_sub(&b, &udp, ulen) == -1)
		return -1;
	rbuf_get_n16(&udp, &u->sport);
	rbuf_get_n16(&udp, &u->dport);
	rbuf_skip(&udp, 4);
	u->payload = rbuf_ptr(&udp);
	u->len = rbuf_left(&udp);
	return udp.err ? -1 : 0;
}
