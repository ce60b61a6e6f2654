/*
 * A minimal capture file reader for tests: classic pcap (either byte
 * order) and pcapng (SHB, IDB, EPB, SPB), link types Ethernet, Linux
 * cooked (SLL) and raw IP, and a walk from a frame to its UDP payload.
 */
#ifndef TEST_PCAP_H
#define TEST_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAP_LINK_ETHERNET	1
#define PCAP_LINK_RAW		101
#define PCAP_LINK_SLL		113
#define PCAP_LINK_IPV4		228
#define PCAP_LINK_IPV6		229
#define PCAP_MAX_IFACES		16

struct pcap_file {
	uint8_t		*data;
	size_t		 len;
	size_t		 pos;
	bool		 ng;		/* pcapng */
	bool		 swap;		/* file in the other byte order */
	int		 linktype;	/* classic pcap */
	int		 iface_link[PCAP_MAX_IFACES];	/* pcapng */
	unsigned	 niface;
};

struct pcap_udp {
	int		 family;	/* AF_INET, AF_INET6 */
	uint8_t		 src[16], dst[16];
	uint16_t	 sport, dport;
	const uint8_t	*payload;
	size_t		 len;
};

int	pcap_open(struct pcap_file *, const char *);
void	pcap_close(struct pcap_file *);
/* 1 and the next frame, 0 at the end, -1 on a malformed file. */
int	pcap_next(struct pcap_file *, const uint8_t **, size_t *, int *);
/* 0 and the UDP datagram of a frame (unfragmented), -1 if none. */
int	pcap_udp(const uint8_t *, size_t, int, struct pcap_udp *);

#endif
