// SPDX-License-Identifier: GPL-2.0
/*
 * wire_fuzz: random and mutated bertha datagrams, sent by a third party to
 * a listener's port and to a connected client's port. The kernel must
 * count and drop or refuse each one (the runner fails the run on any
 * splat, KASAN report or leak), a connection that is already established
 * must not notice (control datagrams only count from the negotiated peer's
 * address), and the listener must still negotiate afterwards.
 *
 * The control payload layout is kmod/wire.h's, version 2: an 8-byte
 * header, then netlink-style attributes, big-endian (HELLO: conn id 1,
 * socket type 2, host id 3, cookie 4, DAG 5, implementation 6; nested
 * implementation: type 1, name 2, priority 3, scope 4, endpoints 5). The
 * messages are built in host order and turned big-endian at the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "kselftest_harness.h"
#include "dag_blob.h"
#include "wire_msg.h"

#define FUZZ_ROUNDS	3000

/* BERTHA_STATS into *S; 0, or -1 if the read failed (a test failure: the
 * checks below compare unsigned, which the all-ones value would pass).
 */
static int stats(int fd, struct bertha_stats *s)
{
	socklen_t len = sizeof(*s);

	memset(s, 0xff, sizeof(*s));
	if (getsockopt(fd, SOL_BERTHA, BERTHA_STATS, s, &len) || len != sizeof(*s))
		return -1;
	return 0;
}

static void header(struct blob *b, uint8_t type, uint32_t conn_id)
{
	uint32_t id = htonl(conn_id);

	memset(b->buf, 0, 8);
	b->buf[0] = 2;
	b->buf[1] = type;
	memcpy(b->buf + 4, &id, 4);
	b->len = 8;
}

static const char *const names[] = {
	"identity", "select", "kernel", "", "x", "reliable", "IDENTITY",
	"identity-with-a-name-far-too-long-for-bertha",
};

static const char *some_name(void)
{
	return names[random() % (sizeof(names) / sizeof(names[0]))];
}

/* A HELLO that is well-formed or nearly so: the deep end of the parser. */
static void hello(struct blob *b, const struct blob *dag)
{
	uint64_t v = random();
	int i, n = random() % 6, impl;

	header(b, W_HELLO, random() % 4 ? 0 : random());
	if (random() % 8)
		put_u32(b, 1, random() % 8 ? 1 + random() % 1000 : 0);
	if (random() % 8)
		put_u32(b, 2, random() % 4 ? SOCK_SEQPACKET : random() % 8);
	if (random() % 2)
		put(b, 3, &v, random() % 4 ? 8 : random() % 9);
	if (random() % 8)
		put(b, 4, &v, random() % 8 ? 8 : random() % 9);
	if (random() % 2)
		put(b, 5, dag->buf, random() % 4 ? dag->len : random() % dag->len);
	for (i = 0; i < n; i++) {
		impl = nest(b, 6);
		if (random() % 8)
			put_str(b, 1, some_name());
		if (random() % 8)
			put_str(b, 2, some_name());
		if (random() % 8)
			put_u32(b, 3, random() % 50);
		if (random() % 8)
			put_u32(b, 4, random() % 6);
		if (random() % 8)
			put_u32(b, 5, random() % 3);
		end(b, impl);
	}
}

/* Anything else: random types, ids, attributes and bytes. */
static void noise(struct blob *b, const uint32_t *ids, int nids)
{
	int i, n = random() % 6;
	uint32_t v;

	/* every type, KEEPALIVE (8) the last, and some beyond */
	header(b, random() % 10, random() % 2 ? ids[random() % nids] : random());
	if (random() % 8 == 0)
		b->buf[0] = random();	/* a version we do not speak */
	for (i = 0; i < n; i++) {
		v = random();
		switch (random() % 4) {
		case 0:
			put_u32(b, random() % 10, v);
			break;
		case 1:
			put_str(b, random() % 10, some_name());
			break;
		case 2:
			put(b, random() % 10, &v, random() % 5);
			break;
		default:
			b->buf[b->len++] = v;	/* misaligned tail */
			break;
		}
	}
	if (random() % 16 == 0)
		b->len = random() % 8;	/* shorter than a header */
}

/*
 * Attributes in P[0..LEN) from host order to the wire's: every header, the
 * nests (by their flag, and the DAG, a binary of attributes) followed, and
 * every other 4- or 8-byte value taken as an integer (the strings the fuzz
 * writes are never 4 or 8 bytes long).
 */
static void to_wire(uint8_t *p, int len, int top)
{
	while (len >= 4) {
		uint16_t alen, type, be;

		memcpy(&alen, p, 2);
		memcpy(&type, p + 2, 2);
		be = htons(alen);
		memcpy(p, &be, 2);
		be = htons(type);
		memcpy(p + 2, &be, 2);
		if (alen < 4 || alen > len)
			return;
		if ((type & NLA_F_NESTED) || (top && (type & NLA_TYPE_MASK) == 5)) {
			to_wire(p + 4, alen - 4, 0);
		} else if (alen == 8) {
			uint32_t v;

			memcpy(&v, p + 4, 4);
			v = htonl(v);
			memcpy(p + 4, &v, 4);
		} else if (alen == 12) {
			uint64_t v;

			memcpy(&v, p + 4, 8);
			v = htobe64(v);
			memcpy(p + 4, &v, 8);
		}
		alen = (alen + 3) & ~3;
		if (alen >= len)
			return;
		p += alen;
		len -= alen;
	}
}

static int send_raw(int udp, uint16_t port, const struct blob *b)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	return sendto(udp, b->buf, b->len, 0, (struct sockaddr *)&to,
		      sizeof(to)) == b->len ? 0 : -1;
}

static int echo(int from, int to, const char *msg)
{
	char buf[64];
	ssize_t n;

	if (send(from, msg, strlen(msg), 0) != (ssize_t)strlen(msg))
		return -1;
	n = recv(to, buf, sizeof(buf), 0);
	return n == (ssize_t)strlen(msg) && !memcmp(buf, msg, n) ? 0 : -1;
}

FIXTURE(fuzz) {
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, spoofed_and_random_datagrams, 180)
{
	struct timeval tv = { .tv_sec = 5 };
	unsigned int seed = getpid() ^ time(NULL);
	struct sockaddr_bertha a = wm_lo4(0);
	int fam = bertha_family(), l, c, s, u, i, fd;
	uint16_t lport, cport;
	struct bertha_stats ls, cs;
	uint32_t ids[3] = { 0, 1, 2 };
	static struct blob dag, b;
	char err[128];

	TH_LOG("seed %u", seed);
	srandom(seed);
	build_valid(&dag);

	l = socket(fam, SOCK_SEQPACKET, 0);
	c = socket(fam, SOCK_SEQPACKET, 0);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, l);
	ASSERT_LE(0, c);
	ASSERT_LE(0, u);
	ASSERT_EQ(0, bertha_set_dag(l, "identity", err, sizeof(err)));
	ASSERT_EQ(0, bind(l, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_EQ(0, listen(l, 4));
	lport = wm_port(l);
	a = wm_lo4(lport);
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, sizeof(a)));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	cport = wm_port(c);
	/* from now on accept() only collects what the fuzz negotiated */
	ASSERT_EQ(0, fcntl(l, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));

	for (i = 0; i < FUZZ_ROUNDS; i++) {
		if (random() % 2)
			hello(&b, &dag);
		else
			noise(&b, ids, 3);
		if (b.len > 8 && random() % 8)
			to_wire(b.buf + 8, b.len - 8, 1);
		ASSERT_EQ(0, send_raw(u, random() % 2 ? lport : cport, &b));
		/* let the listener's queue and the backlog drain now and then */
		if (i % 200 == 199) {
			usleep(100000);
			while ((fd = accept(l, NULL, NULL)) >= 0)
				close(fd);
		}
	}
	usleep(500000);
	while ((fd = accept(l, NULL, NULL)) >= 0)
		close(fd);

	ASSERT_EQ(0, stats(l, &ls)) TH_LOG("listener: BERTHA_STATS: %s", strerror(errno));
	ASSERT_EQ(0, stats(c, &cs)) TH_LOG("client: BERTHA_STATS: %s", strerror(errno));
	TH_LOG("listener port: malformed %llu unexpected %llu hello %llu rejected %llu accepted %llu",
	       (unsigned long long)ls.rx_malformed,
	       (unsigned long long)ls.rx_unexpected,
	       (unsigned long long)ls.hello_received,
	       (unsigned long long)ls.negotiations_rejected,
	       (unsigned long long)ls.negotiations_accepted);
	/* the fuzz reached every stage: header, envelope, negotiation */
	EXPECT_LT(0ULL, ls.rx_malformed);
	EXPECT_LT(0ULL, ls.rx_unexpected);
	EXPECT_LT(0ULL, ls.hello_received);
	EXPECT_LT(0ULL, ls.negotiations_rejected);
	EXPECT_LT(0ULL, cs.rx_malformed + cs.rx_unexpected);

	/* the established connection did not notice any of it */
	EXPECT_EQ(0, echo(c, s, "still here"));
	EXPECT_EQ(0, echo(s, c, "and here"));
	EXPECT_EQ(0ULL, cs.negotiations_rejected);

	/* and the listener still negotiates */
	fd = socket(fam, SOCK_SEQPACKET, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	close(fd);
	close(s);
	close(c);
	close(l);
	close(u);
}

TEST_HARNESS_MAIN
