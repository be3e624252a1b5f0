// SPDX-License-Identifier: GPL-2.0
/*
 * transport_bind: bind(2) gives an AF_BERTHA socket a real UDP port in its
 * network namespace (IPv4 and IPv6); bad addresses get clean errnos;
 * datagrams that reach the port are classified, counted (BERTHA_STATS) and
 * dropped; close gives the port back.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "kselftest_harness.h"
#include "libbertha.h"

static struct sockaddr_bertha addr4(const char *ip, uint16_t port)
{
	struct sockaddr_bertha a = {
		.sbe_family = bertha_family(),
		.sbe_ip_family = AF_INET,
		.sbe_port = htons(port),
	};

	inet_pton(AF_INET, ip, &a.sbe_addr.v4);
	return a;
}

static struct sockaddr_bertha addr6(const char *ip, uint16_t port)
{
	struct sockaddr_bertha a = {
		.sbe_family = bertha_family(),
		.sbe_ip_family = AF_INET6,
		.sbe_port = htons(port),
	};

	inet_pton(AF_INET6, ip, a.sbe_addr.v6);
	return a;
}

static int bind_to(int fd, const struct sockaddr_bertha *a)
{
	return bind(fd, (const struct sockaddr *)a, sizeof(*a)) ? errno : 0;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_bertha a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) || len != sizeof(a))
		return 0;
	return ntohs(a.sbe_port);
}

/* BERTHA_STATS; all ones if the read fails, which no exact count equals
 * (zeroes would pass the checks of fresh counters).
 */
static struct bertha_stats stats(int fd)
{
	struct bertha_stats s;
	socklen_t len = sizeof(s);

	if (getsockopt(fd, SOL_BERTHA, BERTHA_STATS, &s, &len) || len != sizeof(s))
		memset(&s, 0xff, sizeof(s));
	return s;
}

/* Send PAYLOAD from an ordinary UDP socket to 127.0.0.1:PORT. */
static int udp_send(uint16_t port, const void *payload, size_t len)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret;

	ret = sendto(fd, payload, len, 0, (struct sockaddr *)&to, sizeof(to));
	close(fd);
	return ret == (int)len ? 0 : -1;
}

/* Wait until the counters reach at least WANT (loopback is fast, TCG not). */
static int stats_reach(int fd, uint64_t malformed, uint64_t unexpected)
{
	int i;

	for (i = 0; i < 200; i++) {
		struct bertha_stats s = stats(fd);

		if (s.rx_malformed == malformed && s.rx_unexpected == unexpected)
			return 1;
		usleep(10000);
	}
	return 0;
}

FIXTURE(bind) {
	int fd;
};

FIXTURE_SETUP(bind)
{
	self->fd = socket(bertha_family(), SOCK_DGRAM, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(bind)
{
	close(self->fd);
}

TEST_F(bind, ipv4_any_port)
{
	struct sockaddr_bertha a = addr4("127.0.0.1", 0), got;
	socklen_t len = sizeof(got);

	ASSERT_EQ(0, bind_to(self->fd, &a));
	ASSERT_EQ(0, getsockname(self->fd, (struct sockaddr *)&got, &len));
	EXPECT_EQ(sizeof(got), len);
	EXPECT_EQ(bertha_family(), got.sbe_family);
	EXPECT_EQ(AF_INET, got.sbe_ip_family);
	EXPECT_EQ(a.sbe_addr.v4, got.sbe_addr.v4);
	EXPECT_NE(0, got.sbe_port);
	/* bound once, as inet sockets are */
	EXPECT_EQ(EINVAL, bind_to(self->fd, &a));
}

TEST_F(bind, ipv6)
{
	struct sockaddr_bertha a = addr6("::1", 0), got;
	socklen_t len = sizeof(got);

	ASSERT_EQ(0, bind_to(self->fd, &a));
	ASSERT_EQ(0, getsockname(self->fd, (struct sockaddr *)&got, &len));
	EXPECT_EQ(AF_INET6, got.sbe_ip_family);
	EXPECT_EQ(0, memcmp(a.sbe_addr.v6, got.sbe_addr.v6, 16));
	EXPECT_NE(0, got.sbe_port);
}

TEST_F(bind, bad_addresses)
{
	struct sockaddr_bertha a = addr4("127.0.0.1", 0);

	EXPECT_EQ(-1, bind(self->fd, (struct sockaddr *)&a, sizeof(a) - 1));
	EXPECT_EQ(EINVAL, errno);
	a.sbe_family = AF_INET;
	EXPECT_EQ(EAFNOSUPPORT, bind_to(self->fd, &a));
	a = addr4("127.0.0.1", 0);
	a.sbe_ip_family = AF_UNIX;
	EXPECT_EQ(EAFNOSUPPORT, bind_to(self->fd, &a));
	a = addr4("127.0.0.1", 0);
	a.sbe_reserved = 1;
	EXPECT_EQ(EINVAL, bind_to(self->fd, &a));
	a = addr4("127.0.0.1", 0);
	a.sbe_service[31] = 'x';
	EXPECT_EQ(EINVAL, bind_to(self->fd, &a));
	a = addr4("192.0.2.1", 0);	/* not an address of this host */
	EXPECT_EQ(EADDRNOTAVAIL, bind_to(self->fd, &a));
	/* none of that bound the socket */
	a = addr4("127.0.0.1", 0);
	EXPECT_EQ(0, bind_to(self->fd, &a));
}

TEST_F(bind, port_conflicts_and_release)
{
	struct sockaddr_bertha a = addr4("127.0.0.1", 0);
	struct sockaddr_in in = { .sin_family = AF_INET };
	int other = socket(bertha_family(), SOCK_SEQPACKET, 0);
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	uint16_t port;

	ASSERT_EQ(0, bind_to(self->fd, &a));
	port = bound_port(self->fd);
	ASSERT_NE(0, port);

	a.sbe_port = htons(port);
	EXPECT_EQ(EADDRINUSE, bind_to(other, &a));
	in.sin_port = htons(port);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	EXPECT_EQ(-1, bind(udp, (struct sockaddr *)&in, sizeof(in)));
	EXPECT_EQ(EADDRINUSE, errno);

	/* close gives the port back */
	close(self->fd);
	self->fd = socket(bertha_family(), SOCK_DGRAM, 0);
	EXPECT_EQ(0, bind(udp, (struct sockaddr *)&in, sizeof(in)));
	close(udp);
	EXPECT_EQ(0, bind_to(other, &a));
	close(other);
}

TEST_F(bind, datagrams_are_classified_and_dropped)
{
	struct sockaddr_bertha a = addr4("127.0.0.1", 0);
	const uint8_t data[8] = { 2, 4, 0, 0, 0, 0, 0, 42 };	/* v2 DATA */
	const uint8_t old[8] = { 1, 4 }, bogus[8] = { 2, 200 }, shortpkt[3] = { 2 };
	struct bertha_stats s;
	socklen_t len = 8;
	uint16_t port;
	int i;

	ASSERT_EQ(0, bind_to(self->fd, &a));
	port = bound_port(self->fd);
	s = stats(self->fd);
	EXPECT_EQ(0ULL, s.rx_malformed);
	EXPECT_EQ(0ULL, s.rx_unexpected);

	/* short and of an unknown type: malformed; of wire version 1:
	 * another version, counted as such
	 */
	ASSERT_EQ(0, udp_send(port, shortpkt, sizeof(shortpkt)));
	ASSERT_EQ(0, udp_send(port, old, sizeof(old)));
	ASSERT_EQ(0, udp_send(port, bogus, sizeof(bogus)));
	EXPECT_TRUE(stats_reach(self->fd, 2, 0));
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, udp_send(port, data, sizeof(data)));
	EXPECT_TRUE(stats_reach(self->fd, 2, 100));
	EXPECT_EQ(1ULL, stats(self->fd).rx_bad_version);

	/* a short buffer gets the leading fields */
	memset(&s, 0xff, sizeof(s));
	ASSERT_EQ(0, getsockopt(self->fd, SOL_BERTHA, BERTHA_STATS, &s, &len));
	EXPECT_EQ(8U, len);
	EXPECT_EQ(2ULL, s.rx_malformed);
	EXPECT_EQ(UINT64_MAX, s.rx_unexpected);
}

/* Random datagrams: each is counted exactly once, as one kind or another. */
TEST_F(bind, random_datagrams)
{
	struct sockaddr_bertha a = addr4("127.0.0.1", 0);
	unsigned int seed = getpid() ^ time(NULL);
	struct bertha_stats s = { 0 };
	uint8_t pkt[64];
	uint16_t port;
	int i, j, n, sent = 0;

	TH_LOG("seed %u", seed);
	srandom(seed);
	ASSERT_EQ(0, bind_to(self->fd, &a));
	port = bound_port(self->fd);
	for (i = 0; i < 2000; i++) {
		n = 1 + random() % sizeof(pkt);	/* empty ones are not ours */
		for (j = 0; j < n; j++)
			pkt[j] = random();
		if (random() % 2)
			pkt[0] = 2;	/* the version, so types get tried */
		ASSERT_EQ(0, udp_send(port, pkt, n));
		sent++;
		/* in batches, so loopback's backlog never overflows */
		if (sent % 100)
			continue;
		for (j = 0; j < 300; j++) {
			s = stats(self->fd);
			if (s.rx_malformed + s.rx_unexpected +
			    s.rx_bad_version == (uint64_t)sent)
				break;
			usleep(10000);
		}
		ASSERT_EQ((uint64_t)sent, s.rx_malformed + s.rx_unexpected +
					  s.rx_bad_version);
	}
	EXPECT_EQ(2000, sent);
	EXPECT_LT(0ULL, s.rx_malformed);
	EXPECT_LT(0ULL, s.rx_unexpected);
}

TEST_F(bind, no_peer_yet)
{
	struct sockaddr_bertha a;
	socklen_t len = sizeof(a);

	EXPECT_EQ(-1, getpeername(self->fd, (struct sockaddr *)&a, &len));
	EXPECT_EQ(ENOTCONN, errno);
}

/* Random addresses: only documented errnos; a success really bound. */
TEST(random_addresses)
{
	unsigned int seed = getpid() ^ time(NULL);
	int i, fd = socket(bertha_family(), SOCK_DGRAM, 0), bound = 0;
	unsigned char raw[sizeof(struct sockaddr_bertha) + 8];
	struct sockaddr_bertha *a = (struct sockaddr_bertha *)raw;

	TH_LOG("seed %u", seed);
	srandom(seed);
	for (i = 0; i < 3000; i++) {
		int len = random() % sizeof(raw), err;
		unsigned int j;

		for (j = 0; j < sizeof(raw); j++)
			raw[j] = random() % 4 ? 0 : random();
		/* often valid enough to get past the first checks */
		if (random() % 2)
			a->sbe_family = bertha_family();
		if (random() % 2)
			a->sbe_ip_family = random() % 2 ? AF_INET : AF_INET6;
		/* and sometimes a loopback address with one random field */
		if (random() % 3 == 0) {
			*a = random() % 2 ? addr4("127.0.0.1", random() % 65536) :
					    addr6("::1", random() % 65536);
			raw[random() % sizeof(*a)] = random();
			len = sizeof(*a);
		}
		err = bind(fd, (struct sockaddr *)raw, len) ? errno : 0;
		ASSERT_TRUE(err == 0 || err == EINVAL || err == EAFNOSUPPORT ||
			    err == EADDRNOTAVAIL || err == EADDRINUSE)
			TH_LOG("iteration %d: %s", i, strerror(err));
		if (!err) {
			bound++;
			ASSERT_NE(0, bound_port(fd));
			close(fd);
			fd = socket(bertha_family(), SOCK_DGRAM, 0);
		}
	}
	TH_LOG("%d of 3000 binds succeeded", bound);
	/* "a success really bound" was checked: there were successes (a
	 * third of the addresses are loopback ones with one random byte)
	 */
	EXPECT_LT(0, bound);
	close(fd);
}

/* The UDP port lives in the socket's network namespace. */
TEST(port_is_per_netns)
{
	struct sockaddr_bertha a = addr4("127.0.0.1", 0);
	struct sockaddr_in in = { .sin_family = AF_INET };
	int fd = socket(bertha_family(), SOCK_DGRAM, 0), udp;
	uint16_t port;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind_to(fd, &a));
	port = bound_port(fd);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	in.sin_port = htons(port);
	in.sin_addr.s_addr = htonl(INADDR_ANY);
	EXPECT_EQ(0, bind(udp, (struct sockaddr *)&in, sizeof(in)))
		TH_LOG("port %u should be free in a new netns: %s", port, strerror(errno));
	close(udp);
	close(fd);
}

TEST_HARNESS_MAIN
