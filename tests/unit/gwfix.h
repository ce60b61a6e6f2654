/*
 * What the gateway session tests share (test_session.c, test_interop.c):
 * a gateway without a tun whose relay is played by a UDP socket on the
 * loopback, its loop run for a while, the kernel's reports played.
 */
#ifndef TEST_GWFIX_H
#define TEST_GWFIX_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stdint.h>

#include "gateway.h"

/*
 * A "relay": a UDP socket on the loopback of family af, port (0: any),
 * its address in ss; -1 when the port is taken.
 */
int	 gwfix_relay_socket(int, uint16_t, struct sockaddr_storage *);
/* amtgwd MODE 127.0.0.1 --port PORT (MODE -R: relay, -r: discovery). */
void	 gwfix_gateway(struct gateway *, const char *, uint16_t);
void	 gwfix_gateway_free(struct gateway *);
/* Run the loop for ms. */
void	 gwfix_run(struct gateway *, int);
/* Run the loop until fd has a message (decoded into m, sender in from). */
ssize_t	 gwfix_recv(struct gateway *, int, uint8_t *, size_t, int,
	    struct sockaddr *, socklen_t, struct amt_msg *);
/* The host's report of one record (type, group, one source). */
void	 gwfix_report(struct gateway *, uint8_t, const char *, const char *);

#endif
