// SPDX-License-Identifier: GPL-2.0
/*
 * hello_flood: the listener's defence against floods of HELLOs (kmod/retry.c,
 * the "hello_retry" module parameter).
 *
 * - always (2): every HELLO without a token is answered with a RETRY, and
 *   SEQPACKET and DGRAM clients connect anyway, one round trip later;
 * - the token is bound to the client: a wrong one, or one copied to
 *   another connection id or cookie, gets another RETRY, never a connection;
 * - under a flood (1, the default): a sender that never answers floods a
 *   listener whose application accepts slowly; real clients connecting
 *   meanwhile all succeed. The same flood without the defence (0) is
 *   measured beside it and reported.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "kselftest_harness.h"
#include "libbertha.h"

#define RETRY_PARAM	"/sys/module/bertha/parameters/hello_retry"
#define W_HELLO		1
#define W_ACCEPT	2
#define W_RETRY		7
#define A_CONN_ID	1
#define A_SOCK_TYPE	2
#define A_COOKIE	4
#define A_TOKEN		11

static int set_retry(int mode)
{
	FILE *f = fopen(RETRY_PARAM, "w");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%d\n", mode) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static struct sockaddr_bertha lo4(uint16_t port)
{
	struct sockaddr_bertha a = {
		.sbe_family = bertha_family(),
		.sbe_ip_family = AF_INET,
		.sbe_port = htons(port),
		.sbe_addr.v4 = htonl(INADDR_LOOPBACK),
	};

	return a;
}

static uint16_t bport(int fd)
{
	struct sockaddr_bertha a;
	socklen_t len = sizeof(a);

	return getsockname(fd, (struct sockaddr *)&a, &len) ? 0 : ntohs(a.sbe_port);
}

static int listener(int type, int backlog)
{
	struct sockaddr_bertha a = lo4(0);
	int l = socket(bertha_family(), type, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_SEQPACKET && listen(l, backlog)))
		return -1;
	return l;
}

static struct bertha_stats bstats(int fd)
{
	struct bertha_stats s;
	socklen_t len = sizeof(s);

	memset(&s, 0xff, sizeof(s));
	if (getsockopt(fd, SOL_BERTHA, BERTHA_STATS, &s, &len) || len != sizeof(s))
		memset(&s, 0xff, sizeof(s));
	return s;
}

/* ---- hand-made HELLOs (wire version 2: big-endian attributes) ---- */

struct msg {
	uint8_t b[256];
	size_t len;
};

static void m_attr(struct msg *m, uint16_t type, const void *data, uint16_t len)
{
	uint16_t alen = htons(4 + len), t = htons(type);

	memcpy(m->b + m->len, &alen, 2);
	memcpy(m->b + m->len + 2, &t, 2);
	memcpy(m->b + m->len + 4, data, len);
	m->len += (4 + len + 3) & ~3;
}

static void hello(struct msg *m, uint32_t id, uint64_t cookie, const void *token)
{
	uint32_t v;

	memset(m, 0, sizeof(*m));
	m->b[0] = 2;
	m->b[1] = W_HELLO;
	m->len = 8;
	v = htonl(id);
	m_attr(m, A_CONN_ID, &v, 4);
	v = htonl(SOCK_SEQPACKET);
	m_attr(m, A_SOCK_TYPE, &v, 4);
	m_attr(m, A_COOKIE, &cookie, 8);
	if (token)
		m_attr(m, A_TOKEN, token, 8);
}

/* The payload of attribute TYPE of datagram P, or NULL. */
static const uint8_t *m_find(const uint8_t *p, ssize_t len, uint16_t type)
{
	ssize_t off = 8;

	while (off + 4 <= len) {
		uint16_t alen, atype;

		memcpy(&alen, p + off, 2);
		memcpy(&atype, p + off + 2, 2);
		alen = ntohs(alen);
		atype = ntohs(atype);
		if (alen < 4 || off + alen > len)
			return NULL;
		if ((atype & 0x3fff) == type)
			return p + off + 4;
		off += (alen + 3) & ~3;
	}
	return NULL;
}

static int udp_sock(void)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct timeval tv = { 2, 0 };
	int u = socket(AF_INET, SOCK_DGRAM, 0);

	if (u < 0 || bind(u, (struct sockaddr *)&a, sizeof(a)) ||
	    setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -1;
	return u;
}

static int udp_to(int u, uint16_t port, const struct msg *m)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	return sendto(u, m->b, m->len, 0, (struct sockaddr *)&to, sizeof(to)) ==
	       (ssize_t)m->len ? 0 : -1;
}

/* The type of the next answer on U, or -1; its datagram into P. */
static int answer(int u, uint8_t *p, size_t size, ssize_t *n)
{
	*n = recv(u, p, size, 0);
	return *n >= 8 ? p[1] : -1;
}

FIXTURE(flood) {
	int saved;
};

FIXTURE_SETUP(flood)
{
	FILE *f = fopen(RETRY_PARAM, "r");

	ASSERT_NE(NULL, f) TH_LOG("%s: %s", RETRY_PARAM, strerror(errno));
	ASSERT_EQ(1, fscanf(f, "%d", &self->saved));
	fclose(f);
}

FIXTURE_TEARDOWN(flood)
{
	set_retry(self->saved);
}

TEST_F(flood, always_retry_still_connects)
{
	int l = listener(SOCK_SEQPACKET, 4), d = listener(SOCK_DGRAM, 0), c, s, cd;
	struct sockaddr_bertha a;
	char buf[8];

	ASSERT_LE(0, l);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, set_retry(2));

	c = socket(bertha_family(), SOCK_SEQPACKET, 0);
	ASSERT_LE(0, c);
	a = lo4(bport(l));
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, sizeof(a)));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(3, send(c, "seq", 3, 0));
	EXPECT_EQ(3, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(1, (long long)bstats(c).retry_received);
	EXPECT_EQ(1, (long long)bstats(l).retry_sent);
	EXPECT_EQ(2, (long long)bstats(c).hello_sent);
	EXPECT_EQ(1, (long long)bstats(l).negotiations_accepted);

	cd = socket(bertha_family(), SOCK_DGRAM, 0);
	ASSERT_LE(0, cd);
	a = lo4(bport(d));
	ASSERT_EQ(5, sendto(cd, "dgram", 5, 0, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(5, recv(d, buf, sizeof(buf), 0));
	EXPECT_EQ(1, (long long)bstats(cd).retry_received);
	EXPECT_EQ(1, (long long)bstats(d).retry_sent);
	close(cd);
	close(s);
	close(c);
	close(d);
	close(l);
}

TEST_F(flood, token_bound_to_client)
{
	int l = listener(SOCK_SEQPACKET, 8), u = udp_sock();
	uint8_t p[512], token[8], bad[8];
	const uint8_t *v;
	struct msg m;
	ssize_t n;

	ASSERT_LE(0, l);
	ASSERT_LE(0, u);
	ASSERT_EQ(0, set_retry(2));

	hello(&m, 0x100, 0x1111, NULL);
	ASSERT_EQ(0, udp_to(u, bport(l), &m));
	ASSERT_EQ(W_RETRY, answer(u, p, sizeof(p), &n));
	v = m_find(p, n, A_COOKIE);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, memcmp(v, &(uint64_t){ 0x1111 }, 8));
	v = m_find(p, n, A_TOKEN);
	ASSERT_NE(NULL, v);
	memcpy(token, v, 8);
	memcpy(bad, token, 8);
	bad[3] ^= 0x40;

	/* a wrong token; the token with another id; with another cookie */
	hello(&m, 0x100, 0x1111, bad);
	ASSERT_EQ(0, udp_to(u, bport(l), &m));
	EXPECT_EQ(W_RETRY, answer(u, p, sizeof(p), &n));
	hello(&m, 0x101, 0x1111, token);
	ASSERT_EQ(0, udp_to(u, bport(l), &m));
	EXPECT_EQ(W_RETRY, answer(u, p, sizeof(p), &n));
	hello(&m, 0x100, 0x2222, token);
	ASSERT_EQ(0, udp_to(u, bport(l), &m));
	EXPECT_EQ(W_RETRY, answer(u, p, sizeof(p), &n));
	EXPECT_EQ(0, (long long)bstats(l).negotiations_accepted);

	/* the token as given: a connection */
	hello(&m, 0x100, 0x1111, token);
	ASSERT_EQ(0, udp_to(u, bport(l), &m));
	EXPECT_EQ(W_ACCEPT, answer(u, p, sizeof(p), &n));
	EXPECT_EQ(1, (long long)bstats(l).negotiations_accepted);
	EXPECT_EQ(4, (long long)bstats(l).retry_sent);
	close(u);
	close(l);
}

struct flooder {
	uint16_t port;
	volatile int stop;
	unsigned long sent;
};

/* A sender that never answers: HELLOs with new ids and cookies. */
static void *flood_run(void *arg)
{
	struct flooder *f = arg;
	int u = udp_sock();
	uint32_t id = 1;
	struct msg m;

	if (u < 0)
		return NULL;
	while (!f->stop) {
		hello(&m, id, ((uint64_t)id << 32) | 0x5a5a, NULL);
		id++;
		if (!udp_to(u, f->port, &m))
			f->sent++;
	}
	close(u);
	return NULL;
}

struct acceptor {
	int l;
	volatile int stop;
	unsigned long accepted;
};

/* A slow application: one accept every 20 ms. */
static void *accept_run(void *arg)
{
	struct acceptor *a = arg;
	struct pollfd p = { .fd = a->l, .events = POLLIN };
	int fd;

	while (!a->stop) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		fd = accept(a->l, NULL, NULL);
		if (fd >= 0) {
			a->accepted++;
			close(fd);
		}
		usleep(20000);
	}
	return NULL;
}

/*
 * CLIENTS real clients connect at once during a flood of MODE; returns
 * how many connected.
 */
static int flood_round(int mode, int clients, struct __test_metadata *_metadata)
{
	int l = listener(SOCK_SEQPACKET, 16), i, ok = 0, fds[64];
	struct flooder f = { 0 };
	struct acceptor ac = { 0 };
	pthread_t ft, at;
	struct pollfd p[64];
	struct sockaddr_bertha a;
	struct bertha_stats st;

	if (l < 0 || set_retry(mode))
		return -1;
	f.port = bport(l);
	ac.l = l;
	a = lo4(f.port);
	if (pthread_create(&ft, NULL, flood_run, &f))
		return -1;
	if (pthread_create(&at, NULL, accept_run, &ac))
		return -1;
	usleep(300000);		/* the flood is on */
	for (i = 0; i < clients; i++) {
		fds[i] = socket(bertha_family(), SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
		if (fds[i] < 0 ||
		    connect(fds[i], (struct sockaddr *)&a, sizeof(a)) != -1 ||
		    errno != EINPROGRESS)
			return -1;
		p[i] = (struct pollfd){ .fd = fds[i], .events = POLLOUT };
	}
	/* until each has an answer, or past the 6.2 s a connect gives up after */
	for (i = 0; i < 75; i++) {
		int j, done = 0;

		poll(p, clients, 0);
		for (j = 0; j < clients; j++)
			done += !!p[j].revents;
		if (done == clients)
			break;
		usleep(100000);
	}
	for (i = 0; i < clients; i++) {
		int err = -1;
		socklen_t len = sizeof(err);

		/* connected, whether or not the slow application has closed
		 * its end by now
		 */
		if (!getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &len) &&
		    !err && bstats(fds[i]).negotiations_accepted == 1)
			ok++;
		else
			TH_LOG("client %d: %s", i, strerror(err));
		close(fds[i]);
	}
	f.stop = 1;
	ac.stop = 1;
	pthread_join(ft, NULL);
	pthread_join(at, NULL);
	st = bstats(l);
	TH_LOG("hello_retry=%d: %d of %d clients connected; flood %lu HELLOs, listener: %llu RETRYs, %llu backlog drops, %llu connections, %lu accepted",
	       mode, ok, clients, f.sent, (unsigned long long)st.retry_sent,
	       (unsigned long long)st.hello_backlog_drops,
	       (unsigned long long)st.negotiations_accepted, ac.accepted);
	if (mode == 1 && !st.retry_sent)
		ok = -1;	/* the flood never met the defence */
	close(l);
	return ok;
}

TEST_F_TIMEOUT(flood, real_clients_connect_during_flood, 120)
{
	enum { CLIENTS = 24 };
	int with, without;

	without = flood_round(0, CLIENTS, _metadata);
	with = flood_round(1, CLIENTS, _metadata);
	ASSERT_LE(0, without);
	ASSERT_LE(0, with);
	TH_LOG("connect success during the flood: %d%% with the defence, %d%% without",
	       100 * with / CLIENTS, 100 * without / CLIENTS);
	EXPECT_EQ(CLIENTS, with);
}

TEST_HARNESS_MAIN
