/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wire_msg.h: hand-made bertha datagrams (kmod/wire.h, wire version 2) for
 * the selftests that play a peer of another make, broken or hostile, from a
 * plain UDP socket on 127.0.0.1: an 8-byte header, then netlink-style
 * attributes whose headers and integers are big-endian (or, to play a
 * version 1 peer, in host order). Header-only, as dag_blob.h.
 */
#ifndef BERTHA_SELFTEST_WIRE_MSG_H
#define BERTHA_SELFTEST_WIRE_MSG_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/bertha.h>

#include "libbertha.h"

/* wire types and attributes (kmod/wire.h) */
enum { W_HELLO = 1, W_ACCEPT, W_REJECT, W_DATA, W_CLOSE, W_CHUNNEL, W_RETRY,
       W_KEEPALIVE };
enum { A_CONN_ID = 1, A_SOCK_TYPE, A_HOST_ID, A_COOKIE, A_DAG, A_IMPL,
       A_BOUND, A_REASON, A_LOCAL, A_VERSION, A_TOKEN };

struct wire_msg {
	uint8_t b[2048];
	size_t len;
};

/* A header of wire VERSION; the attributes follow. */
static inline void wm_hdr(struct wire_msg *m, uint8_t version, uint8_t type,
			  uint32_t conn_id)
{
	uint32_t id = htonl(conn_id);

	memset(m, 0, sizeof(*m));
	m->b[0] = version;
	m->b[1] = type;
	memcpy(m->b + 4, &id, 4);
	m->len = 8;
}

/* An attribute, big-endian when BE. */
static inline void wm_attr(struct wire_msg *m, int be, uint16_t type,
			   const void *data, uint16_t len)
{
	uint16_t alen = 4 + len;

	if (be) {
		alen = htons(alen);
		type = htons(type);
	}
	memcpy(m->b + m->len, &alen, 2);
	memcpy(m->b + m->len + 2, &type, 2);
	memcpy(m->b + m->len + 4, data, len);
	m->len += (4 + len + 3) & ~3;
}

static inline void wm_u32(struct wire_msg *m, int be, uint16_t type, uint32_t v)
{
	if (be)
		v = htonl(v);
	wm_attr(m, be, type, &v, 4);
}

/* Bytes after the header (a CLOSE's cookie, DATA's message). */
static inline void wm_raw(struct wire_msg *m, const void *data, size_t len)
{
	memcpy(m->b + m->len, data, len);
	m->len += len;
}

/*
 * Walk the attributes of datagram P (LEN bytes): 1 if they tile the
 * payload exactly when read in BE's byte order. *VAL and *VLEN get those
 * of attribute TYPE (NULL if absent).
 */
static inline int wm_find(const uint8_t *p, size_t len, int be, uint16_t type,
			  const uint8_t **val, size_t *vlen)
{
	size_t off = 8;

	*val = NULL;
	*vlen = 0;
	while (off + 4 <= len) {
		uint16_t alen, atype;

		memcpy(&alen, p + off, 2);
		memcpy(&atype, p + off + 2, 2);
		if (be) {
			alen = ntohs(alen);
			atype = ntohs(atype);
		}
		if (alen < 4 || off + alen > len)
			return 0;
		if ((atype & 0x3fff) == type) {
			*val = p + off + 4;
			*vlen = alen - 4;
		}
		off += (alen + 3) & ~3;
	}
	return off == len || off == ((len + 3) & ~3UL);
}

/* The u32 attribute TYPE of datagram P, or 0. */
static inline uint32_t wm_get_u32(const uint8_t *p, size_t len, int be,
				  uint16_t type)
{
	const uint8_t *v;
	size_t vlen;
	uint32_t x;

	if (!wm_find(p, len, be, type, &v, &vlen) || !v || vlen != 4)
		return 0;
	memcpy(&x, v, 4);
	return be ? ntohl(x) : x;
}

/* The connection id in datagram P's header. */
static inline uint32_t wm_hdr_id(const uint8_t *p)
{
	uint32_t id;

	memcpy(&id, p + 4, 4);
	return ntohl(id);
}

/* An AF_BERTHA address on 127.0.0.1. */
static inline struct sockaddr_bertha wm_lo4(uint16_t port)
{
	struct sockaddr_bertha a = {
		.sbe_family = bertha_family(),
		.sbe_ip_family = AF_INET,
		.sbe_port = htons(port),
		.sbe_addr.v4 = htonl(INADDR_LOOPBACK),
	};

	return a;
}

/* The port FD is bound to, AF_BERTHA or AF_INET; 0 on error. */
static inline uint16_t wm_port(int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return 0;
	if (a.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&a)->sin_port);
	return ntohs(((struct sockaddr_bertha *)&a)->sbe_port);
}

/* The peer's socket: UDP on 127.0.0.1, receives time out after MS. */
static inline int wm_udp(int ms)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	int u = socket(AF_INET, SOCK_DGRAM, 0);

	if (u < 0 || bind(u, (struct sockaddr *)&a, sizeof(a)) ||
	    setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -1;
	return u;
}

/* Send M from U to 127.0.0.1:PORT; 0 once sent whole. */
static inline int wm_send(int u, uint16_t port, const struct wire_msg *m)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	return sendto(u, m->b, m->len, 0, (struct sockaddr *)&to, sizeof(to)) ==
	       (ssize_t)m->len ? 0 : -1;
}

/* A listener (or, for SOCK_DGRAM, a bound socket) on 127.0.0.1. */
static inline int wm_listener(int type, int backlog)
{
	struct sockaddr_bertha a = wm_lo4(0);
	int l = socket(bertha_family(), type, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_SEQPACKET && listen(l, backlog)))
		return -1;
	return l;
}

/* FD's counters; all ones when the read failed (no check passes on them). */
static inline struct bertha_stats wm_stats(int fd)
{
	struct bertha_stats s;
	socklen_t len = sizeof(s);

	memset(&s, 0xff, sizeof(s));
	if (getsockopt(fd, SOL_BERTHA, BERTHA_STATS, &s, &len) || len != sizeof(s))
		memset(&s, 0xff, sizeof(s));
	return s;
}

#endif /* BERTHA_SELFTEST_WIRE_MSG_H */
