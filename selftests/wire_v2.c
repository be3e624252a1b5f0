// SPDX-License-Identifier: GPL-2.0
/*
 * wire_v2: the wire format, version 2, as a peer of another make sees it.
 * A plain UDP socket plays that peer with hand-built datagrams:
 *
 * - byte order: a big-endian HELLO negotiates; the ACCEPT's attribute
 *   headers and integers read big-endian and add up exactly; DATA and
 *   CLOSE work both ways;
 * - versions: a version 1 HELLO gets a version 1 REJECT (host order, a
 *   reason version 1 knows), a version 3 HELLO a version 2 REJECT with
 *   reason VERSION; other datagrams of other versions are only counted;
 * - spoofing: ACCEPT, REJECT, CLOSE and chunnel control with a
 *   connection's id but another cookie, and with the cookie but guessed
 *   ids, thousands of each: no effect, every one counted;
 * - unpredictable ids: the ids a port gives out are no sequence;
 * - CLOSE echoes: a true CLOSE, and one for an id the port does not know,
 *   come back with F_ACK, the same id and cookie and no more bytes; a
 *   CLOSE with the id but another cookie gets no echo.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "kselftest_harness.h"
#include "wire_msg.h"

#define TRIES		1000
#define WAIT_MS		5000

/* Wait until FIELD of FD's counters reaches WANT; 1 if it did. */
#define stats_wait(fd, field, want) ({					\
	int __ok = 0, __i;						\
	for (__i = 0; __i < WAIT_MS / 10; __i++) {			\
		if (wm_stats(fd).field == (uint64_t)(want)) {		\
			__ok = 1;					\
			break;						\
		}							\
		usleep(10000);						\
	}								\
	__ok;								\
})

/* A version 2 HELLO with client id ID and cookie C: what a SEQPACKET
 * client without a DAG and implementations sends.
 */
static void hello_v2(struct wire_msg *m, uint32_t id, const uint8_t c[8])
{
	wm_hdr(m, 2, W_HELLO, 0);
	wm_u32(m, 1, A_CONN_ID, id);
	wm_u32(m, 1, A_SOCK_TYPE, SOCK_SEQPACKET);
	wm_attr(m, 1, A_COOKIE, c, 8);
}

static void some_cookie(uint8_t c[8])
{
	int i;

	for (i = 0; i < 8; i++)
		c[i] = random();
}

static ssize_t recv_type(int u, uint8_t *buf, size_t len, uint8_t type)
{
	ssize_t n;

	do {
		n = recv(u, buf, len, 0);
	} while (n >= 2 && buf[1] != type);
	return n;
}

TEST(byte_order_and_spoofed_close)
{
	static const uint8_t cookie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const uint32_t cid = 0x0a0b0c0d;
	int l = wm_listener(SOCK_SEQPACKET, 4), u = wm_udp(2000), s, i;
	const uint8_t *v;
	uint8_t reply[2048];
	struct bertha_stats st;
	uint64_t unexpected;
	struct wire_msg m;
	uint32_t sid;
	size_t vlen;
	char buf[16];
	ssize_t n;

	ASSERT_LE(0, l);
	ASSERT_LE(0, u);
	srandom(getpid());
	hello_v2(&m, cid, cookie);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	n = recv(u, reply, sizeof(reply), 0);
	ASSERT_LE(8, n) TH_LOG("no answer to a big-endian HELLO");
	EXPECT_EQ(2, reply[0]);
	ASSERT_EQ(W_ACCEPT, reply[1]) TH_LOG("type %u", reply[1]);
	EXPECT_EQ(cid, wm_hdr_id(reply));
	/* every attribute header reads big-endian and they add up exactly */
	ASSERT_TRUE(wm_find(reply, n, 1, A_COOKIE, &v, &vlen));
	ASSERT_NE(NULL, v);
	ASSERT_EQ(8U, vlen);
	EXPECT_EQ(0, memcmp(v, cookie, 8));
	ASSERT_TRUE(wm_find(reply, n, 1, A_HOST_ID, &v, &vlen));
	EXPECT_EQ(8U, vlen);
	sid = wm_get_u32(reply, n, 1, A_CONN_ID);
	ASSERT_NE(0U, sid);

	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, fcntl(s, F_SETFL, O_NONBLOCK));

	/* DATA both ways, ids in network byte order */
	wm_hdr(&m, 2, W_DATA, sid);
	wm_raw(&m, "ping", 4);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	usleep(100000);
	EXPECT_EQ(4, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	ASSERT_EQ(4, send(s, "pong", 4, 0));
	n = recv_type(u, reply, sizeof(reply), W_DATA);
	ASSERT_EQ(12, n);
	EXPECT_EQ(cid, wm_hdr_id(reply));
	EXPECT_EQ(0, memcmp(reply + 8, "pong", 4));

	/* CLOSEs with the id but not the cookie: counted, no effect */
	st = wm_stats(s);
	unexpected = st.rx_unexpected;
	for (i = 0; i < TRIES; i++) {
		uint8_t c[8];

		some_cookie(c);
		if (!memcmp(c, cookie, 8))
			c[0] ^= 1;
		wm_hdr(&m, 2, W_CLOSE, sid);
		if (i)	/* the first has no cookie at all */
			wm_raw(&m, c, 8);
		ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
		/* at most 256 wait for the port's work item: pace them */
		if (i % 100 == 99)
			ASSERT_TRUE(stats_wait(s, rx_spoofed, i + 1));
	}
	EXPECT_TRUE(stats_wait(s, rx_spoofed, TRIES)) TH_LOG("rx_spoofed %llu",
		(unsigned long long)wm_stats(s).rx_spoofed);
	/* the cookie with guessed ids: no connection has them */
	for (i = 0; i < TRIES; i++) {
		uint32_t id = random();

		wm_hdr(&m, 2, W_CLOSE, id == sid ? id + 1 : id);
		wm_raw(&m, cookie, 8);
		ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
		/* at most 256 wait for the port's work item: pace them */
		if (i % 100 == 99)
			ASSERT_TRUE(stats_wait(s, rx_unexpected, unexpected + i + 1));
	}
	EXPECT_TRUE(stats_wait(s, rx_unexpected, unexpected + TRIES));
	EXPECT_EQ(-1, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(EAGAIN, errno);
	wm_hdr(&m, 2, W_DATA, sid);
	wm_raw(&m, "still", 5);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	usleep(100000);
	EXPECT_EQ(5, recv(s, buf, sizeof(buf), 0));

	/* the true CLOSE ends it */
	wm_hdr(&m, 2, W_CLOSE, sid);
	wm_raw(&m, cookie, 8);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	usleep(200000);
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(TRIES, (long long)wm_stats(s).rx_spoofed);
	close(s);
	close(l);
	close(u);
}

#define F_ACK	0x0008

/* The next CLOSE on U within its timeout: 1 if it echoes ID, COOKIE, FLAGS. */
static int is_close_echo(int u, uint32_t id, const uint8_t cookie[8],
		      uint16_t flags)
{
	uint8_t reply[64];
	ssize_t n = recv_type(u, reply, sizeof(reply), W_CLOSE);

	return n == 16 && reply[0] == 2 && wm_hdr_id(reply) == id &&
	       ((reply[2] << 8) | reply[3]) == (flags | F_ACK) &&
	       !memcmp(reply + 8, cookie, 8);
}

TEST(close_echo)
{
	static const uint8_t cookie[8] = { 0xc1, 2, 3, 4, 5, 6, 7, 0xc8 };
	static const uint8_t other[8] = { 0xc1, 2, 3, 4, 5, 6, 7, 0xc9 };
	int l = wm_listener(SOCK_SEQPACKET, 4), u = wm_udp(1000), s;
	uint8_t reply[512];
	struct wire_msg m;
	uint32_t sid;
	char buf[8];
	ssize_t n;

	ASSERT_LE(0, l);
	ASSERT_LE(0, u);
	hello_v2(&m, 0x5150, cookie);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	n = recv_type(u, reply, sizeof(reply), W_ACCEPT);
	ASSERT_LE(8, n);
	sid = wm_get_u32(reply, n, 1, A_CONN_ID);
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);

	/* another cookie: dropped as spoofed, no echo */
	wm_hdr(&m, 2, W_CLOSE, sid);
	wm_raw(&m, other, 8);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	EXPECT_TRUE(stats_wait(s, rx_spoofed, 1));
	EXPECT_EQ(-1, recv(u, reply, sizeof(reply), MSG_DONTWAIT));

	/* the true one, a shutdown of the sending side: echoed with its flags */
	wm_hdr(&m, 2, W_CLOSE, sid);
	m.b[3] = 0x01;	/* BERTHA_CLOSE_F_WRITE */
	wm_raw(&m, cookie, 8);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	EXPECT_TRUE(is_close_echo(u, sid, cookie, 0x01));
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));

	/* an id nobody has: echoed all the same */
	wm_hdr(&m, 2, W_CLOSE, sid ^ 0x80000000);
	wm_raw(&m, other, 8);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	EXPECT_TRUE(is_close_echo(u, sid ^ 0x80000000, other, 0));

	/* the server's own CLOSE comes again until the test echoes it */
	close(s);
	n = recv_type(u, reply, sizeof(reply), W_CLOSE);
	ASSERT_EQ(16, n);
	EXPECT_EQ(0x5150U, wm_hdr_id(reply));
	n = recv_type(u, reply, sizeof(reply), W_CLOSE);
	ASSERT_EQ(16, n) TH_LOG("no retransmission of the server's CLOSE");
	reply[3] |= F_ACK;
	memcpy(m.b, reply, 16);
	m.len = 16;
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	/* echoed: nothing more comes (the next was due 0.4 s later) */
	EXPECT_EQ(-1, recv(u, reply, sizeof(reply), 0));
	EXPECT_EQ(EAGAIN, errno);
	close(l);
	close(u);
}

TEST(other_versions)
{
	static const uint8_t cookie[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };
	int l = wm_listener(SOCK_SEQPACKET, 4), u = wm_udp(300), c, s;
	struct sockaddr_bertha a;
	uint8_t reply[512];
	const uint8_t *v;
	struct wire_msg m;
	size_t vlen;
	ssize_t n;

	ASSERT_LE(0, l);
	ASSERT_LE(0, u);

	/* version 1: its own format back, with a reason it knows */
	wm_hdr(&m, 1, W_HELLO, 0);
	wm_u32(&m, 0, A_CONN_ID, 0x1234);
	wm_u32(&m, 0, A_SOCK_TYPE, SOCK_SEQPACKET);
	wm_attr(&m, 0, A_COOKIE, cookie, 8);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	n = recv(u, reply, sizeof(reply), 0);
	ASSERT_LE(8, n) TH_LOG("a version 1 HELLO got no answer");
	EXPECT_EQ(1, reply[0]);
	EXPECT_EQ(W_REJECT, reply[1]);
	EXPECT_EQ(0x1234U, wm_hdr_id(reply));
	EXPECT_EQ(BERTHA_REJECT_MALFORMED, (long long)wm_get_u32(reply, n, 0, A_REASON));
	ASSERT_TRUE(wm_find(reply, n, 0, A_COOKIE, &v, &vlen));
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, memcmp(v, cookie, 8));

	/* version 3, with an attribute version 2 does not know */
	wm_hdr(&m, 3, W_HELLO, 0);
	wm_u32(&m, 1, A_CONN_ID, 0x5678);
	wm_attr(&m, 1, A_COOKIE, cookie, 8);
	wm_u32(&m, 1, 42, 7);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	n = recv(u, reply, sizeof(reply), 0);
	ASSERT_LE(8, n) TH_LOG("a version 3 HELLO got no answer");
	EXPECT_EQ(2, reply[0]);
	EXPECT_EQ(W_REJECT, reply[1]);
	EXPECT_EQ(0x5678U, wm_hdr_id(reply));
	EXPECT_EQ(BERTHA_REJECT_VERSION, (long long)wm_get_u32(reply, n, 1, A_REASON));
	EXPECT_EQ(2U, wm_get_u32(reply, n, 1, A_VERSION));
	ASSERT_TRUE(wm_find(reply, n, 1, A_COOKIE, &v, &vlen));
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, memcmp(v, cookie, 8));

	/* not answered: version 1 DATA, a version 1 HELLO without cookie,
	 * a version 0 HELLO, a HELLO shorter than its answer
	 */
	wm_hdr(&m, 1, W_DATA, 1);
	wm_raw(&m, "data", 4);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	wm_hdr(&m, 1, W_HELLO, 0);
	wm_u32(&m, 0, A_CONN_ID, 0x99);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	wm_hdr(&m, 0, W_HELLO, 0);
	wm_u32(&m, 0, A_CONN_ID, 0x99);
	wm_attr(&m, 0, A_COOKIE, cookie, 8);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	/* a version 3 HELLO shorter than the answer: no reflector */
	wm_hdr(&m, 3, W_HELLO, 0);
	wm_u32(&m, 1, A_CONN_ID, 0x77);
	wm_attr(&m, 1, A_COOKIE, cookie, 8);
	ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
	EXPECT_EQ(-1, recv(u, reply, sizeof(reply), 0));
	EXPECT_TRUE(stats_wait(l, rx_bad_version, 6));
	EXPECT_EQ(0, (long long)wm_stats(l).negotiations_accepted);

	/* the listener still negotiates with its own kind */
	c = socket(bertha_family(), SOCK_SEQPACKET, 0);
	ASSERT_LE(0, c);
	a = wm_lo4(wm_port(l));
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, sizeof(a)));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(2, send(c, "ok", 2, 0));
	EXPECT_EQ(2, recv(s, reply, sizeof(reply), 0));
	close(s);
	close(c);
	close(l);
	close(u);
}

/* A real client against a fake listener that knows its id and cookie. */
TEST(client_ignores_spoofed_answers)
{
	int u = wm_udp(2000), c, i;
	struct sockaddr_bertha a;
	uint8_t hello[2048], cookie[8], buf[64];
	const uint8_t *v;
	uint64_t unexpected;
	struct pollfd p;
	struct wire_msg m;
	uint16_t cport;
	size_t vlen;
	uint32_t cid;
	ssize_t n;

	ASSERT_LE(0, u);
	srandom(getpid() ^ time(NULL));
	c = socket(bertha_family(), SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, c);
	a = wm_lo4(wm_port(u));
	ASSERT_EQ(-1, connect(c, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_EQ(EINPROGRESS, errno);
	cport = wm_port(c);
	n = recv_type(u, hello, sizeof(hello), W_HELLO);
	ASSERT_LE(8, n);
	EXPECT_EQ(2, hello[0]);
	cid = wm_get_u32(hello, n, 1, A_CONN_ID);
	ASSERT_NE(0U, cid);
	EXPECT_EQ(SOCK_SEQPACKET, (long long)wm_get_u32(hello, n, 1, A_SOCK_TYPE));
	ASSERT_TRUE(wm_find(hello, n, 1, A_COOKIE, &v, &vlen));
	ASSERT_NE(NULL, v);
	ASSERT_EQ(8U, vlen);
	memcpy(cookie, v, 8);

	/* ACCEPTs and REJECTs with the client's id but other cookies */
	for (i = 0; i < 2 * TRIES; i++) {
		uint8_t bad[8];

		some_cookie(bad);
		if (!memcmp(bad, cookie, 8))
			bad[7] ^= 1;
		wm_hdr(&m, 2, i % 2 ? W_ACCEPT : W_REJECT, cid);
		if (i % 2)
			wm_u32(&m, 1, A_CONN_ID, 77);
		wm_attr(&m, 1, A_COOKIE, bad, 8);
		if (!(i % 2))
			wm_u32(&m, 1, A_REASON, BERTHA_REJECT_NOT_LISTENING);
		ASSERT_EQ(0, wm_send(u, cport, &m));
		/* at most 256 wait for the port's work item: pace them */
		if (i % 100 == 99)
			ASSERT_TRUE(stats_wait(c, rx_spoofed, i + 1));
	}
	EXPECT_TRUE(stats_wait(c, rx_spoofed, 2 * TRIES)) TH_LOG("rx_spoofed %llu",
		(unsigned long long)wm_stats(c).rx_spoofed);
	/* the cookie, but guessed ids */
	unexpected = wm_stats(c).rx_unexpected;
	for (i = 0; i < TRIES; i++) {
		uint32_t id = random();

		wm_hdr(&m, 2, W_REJECT, id == cid ? id + 1 : id);
		wm_attr(&m, 1, A_COOKIE, cookie, 8);
		wm_u32(&m, 1, A_REASON, BERTHA_REJECT_NOT_LISTENING);
		ASSERT_EQ(0, wm_send(u, cport, &m));
		/* at most 256 wait for the port's work item: pace them */
		if (i % 100 == 99)
			ASSERT_TRUE(stats_wait(c, rx_unexpected, unexpected + i + 1));
	}
	EXPECT_TRUE(stats_wait(c, rx_unexpected, unexpected + TRIES));
	p = (struct pollfd){ .fd = c, .events = POLLOUT };
	EXPECT_EQ(0, poll(&p, 1, 0)) TH_LOG("the connect moved: 0x%x", p.revents);
	EXPECT_EQ(0, (long long)wm_stats(c).negotiations_rejected);

	/* the true ACCEPT connects */
	wm_hdr(&m, 2, W_ACCEPT, cid);
	wm_u32(&m, 1, A_CONN_ID, 77);
	wm_attr(&m, 1, A_COOKIE, cookie, 8);
	ASSERT_EQ(0, wm_send(u, cport, &m));
	EXPECT_EQ(1, poll(&p, 1, WAIT_MS));
	EXPECT_EQ(POLLOUT, p.revents);
	ASSERT_EQ(2, send(c, "hi", 2, 0));
	n = recv_type(u, buf, sizeof(buf), W_DATA);
	ASSERT_EQ(10, n);
	EXPECT_EQ(77U, wm_hdr_id(buf));

	/* chunnel control and CLOSE with other cookies: nothing happens */
	for (i = 0; i < 2 * TRIES; i++) {
		uint8_t bad[8];

		some_cookie(bad);
		if (!memcmp(bad, cookie, 8))
			bad[7] ^= 1;
		wm_hdr(&m, 2, i % 2 ? W_CLOSE : W_CHUNNEL, cid);
		wm_raw(&m, bad, 8);
		ASSERT_EQ(0, wm_send(u, cport, &m));
		if (i % 100 == 99)
			ASSERT_TRUE(stats_wait(c, rx_spoofed, 2 * TRIES + i + 1));
	}
	EXPECT_TRUE(stats_wait(c, rx_spoofed, 4 * TRIES));
	EXPECT_EQ(-1, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ(EAGAIN, errno);

	/* the peer's true CLOSE is end of stream */
	wm_hdr(&m, 2, W_CLOSE, cid);
	wm_raw(&m, cookie, 8);
	ASSERT_EQ(0, wm_send(u, cport, &m));
	usleep(200000);
	EXPECT_EQ(0, recv(c, buf, sizeof(buf), 0));
	close(c);
	close(u);
}

/* The ids one port gives out, and the ids of many ports' first ones. */
TEST(ids_unpredictable)
{
	enum { N = 64 };
	int l = wm_listener(SOCK_SEQPACKET, N + 4), u = wm_udp(2000), i, j, fd, seq = 0;
	uint32_t ids[N], lo = UINT32_MAX, hi = 0, first[16];
	uint8_t reply[2048];
	struct wire_msg m;
	ssize_t n;

	ASSERT_LE(0, l);
	ASSERT_LE(0, u);
	for (i = 0; i < N; i++) {
		uint8_t c[8] = { i, 1, 2, 3, 4, 5, 6, 7 };

		hello_v2(&m, 100 + i, c);
		ASSERT_EQ(0, wm_send(u, wm_port(l), &m));
		n = recv_type(u, reply, sizeof(reply), W_ACCEPT);
		ASSERT_LE(8, n);
		ASSERT_EQ(100U + i, wm_hdr_id(reply));
		ids[i] = wm_get_u32(reply, n, 1, A_CONN_ID);
		ASSERT_NE(0U, ids[i]);
		/* taken at once: a queue filling up would ask for RETRYs */
		fd = accept(l, NULL, NULL);
		ASSERT_LE(0, fd);
		close(fd);
		for (j = 0; j < i; j++)
			ASSERT_NE(ids[j], ids[i]);
		if (i && (ids[i] == ids[i - 1] + 1 || ids[i] == ids[i - 1] - 1))
			seq++;
		lo = ids[i] < lo ? ids[i] : lo;
		hi = ids[i] > hi ? ids[i] : hi;
	}
	EXPECT_EQ(0, seq);
	EXPECT_LT(1U << 24, hi - lo) TH_LOG("ids from %u to %u", lo, hi);

	/* every client's port starts its ids somewhere else */
	for (i = 0; i < 16; i++) {
		struct sockaddr_bertha a = wm_lo4(wm_port(u));
		int c = socket(bertha_family(), SOCK_SEQPACKET | SOCK_NONBLOCK, 0);

		ASSERT_LE(0, c);
		ASSERT_EQ(-1, connect(c, (struct sockaddr *)&a, sizeof(a)));
		n = recv_type(u, reply, sizeof(reply), W_HELLO);
		ASSERT_LE(8, n);
		first[i] = wm_get_u32(reply, n, 1, A_CONN_ID);
		close(c);
		for (j = 0; j < i; j++)
			EXPECT_NE(first[j], first[i]);
	}
	close(l);
	close(u);
}

TEST_HARNESS_MAIN
