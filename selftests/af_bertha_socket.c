// SPDX-License-Identifier: GPL-2.0
/*
 * af_bertha_socket: the AF_BERTHA socket skeleton seen from userspace:
 * the published family number, which socket types and protocols exist,
 * the errno of every operation the data path does not provide yet, and the
 * accounting of live sockets (/proc/net/protocols, module references).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include <linux/bertha.h>

#include "libbertha.h"

/* A level that is neither SOL_SOCKET nor SOL_BERTHA. */
#define OTHER_SOL (SOL_BERTHA - 1)

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The "sockets" column of the BERTHA line in /proc/net/protocols. */
static long proto_inuse(void)
{
	FILE *f = fopen("/proc/net/protocols", "r");
	char line[512], name[64];
	long sockets = -1, size;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %ld %ld", name, &size, &sockets) == 3 &&
		    !strcmp(name, "BERTHA"))
			break;
		sockets = -1;
	}
	fclose(f);
	return sockets;
}

TEST(family_is_published)
{
	ASSERT_EQ(BERTHA_AF_DEFAULT, read_long(BERTHA_AF_SYSFS_PATH));
}

TEST(unsupported_types_fail)
{
	static const int types[] = { SOCK_STREAM, SOCK_RAW, SOCK_RDM, SOCK_DCCP,
				     SOCK_PACKET };
	int family = bertha_family();
	unsigned int i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		EXPECT_EQ(-1, socket(family, types[i], 0)) TH_LOG("type %d", types[i]);
		EXPECT_EQ(ESOCKTNOSUPPORT, errno) TH_LOG("type %d", types[i]);
	}
}

TEST(unsupported_protocols_fail)
{
	static const int protocols[] = { 1, 6, 17, 255, -1, INT_MAX };
	int family = bertha_family();
	unsigned int i;

	for (i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++) {
		EXPECT_EQ(-1, socket(family, SOCK_SEQPACKET, protocols[i]));
		EXPECT_EQ(EPROTONOSUPPORT, errno) TH_LOG("protocol %d", protocols[i]);
		EXPECT_EQ(-1, socket(family, SOCK_DGRAM, protocols[i]));
		EXPECT_EQ(EPROTONOSUPPORT, errno) TH_LOG("protocol %d", protocols[i]);
	}
}

/* Random (type, protocol) pairs: exactly the documented outcome each time. */
TEST(random_type_protocol_pairs)
{
	int family = bertha_family();
	unsigned int seed = getpid();
	int i;

	TH_LOG("seed %u", seed);
	srandom(seed);
	for (i = 0; i < 2000; i++) {
		int type = random() % 12;
		int protocol = (random() % 4) ? 0 : (int)random() - RAND_MAX / 2;
		int flags = (random() % 2) ? SOCK_NONBLOCK | SOCK_CLOEXEC : 0;
		int fd = socket(family, type | flags, protocol);
		int want;

		if (type > SOCK_PACKET)
			want = EINVAL;		/* rejected by the socket core */
		else if (protocol)
			want = EPROTONOSUPPORT;
		else if (type != SOCK_SEQPACKET && type != SOCK_DGRAM)
			want = ESOCKTNOSUPPORT;
		else
			want = 0;

		if (want) {
			ASSERT_EQ(-1, fd) TH_LOG("type %d protocol %d", type, protocol);
			ASSERT_EQ(want, errno) TH_LOG("type %d protocol %d", type, protocol);
		} else {
			ASSERT_LE(0, fd) TH_LOG("type %d: %s", type, strerror(errno));
			ASSERT_EQ(0, close(fd));
		}
	}
}

TEST(live_sockets_are_accounted)
{
	long inuse = proto_inuse(), refcnt = read_long("/sys/module/bertha/refcnt");
	int family = bertha_family();
	int fds[8], i;

	ASSERT_LE(0, inuse);
	ASSERT_LE(0, refcnt);
	for (i = 0; i < 8; i++) {
		fds[i] = socket(family, i % 2 ? SOCK_DGRAM : SOCK_SEQPACKET, 0);
		ASSERT_LE(0, fds[i]);
	}
	EXPECT_EQ(inuse + 8, proto_inuse());
	EXPECT_LT(refcnt, read_long("/sys/module/bertha/refcnt"));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, close(fds[i]));
	EXPECT_EQ(inuse, proto_inuse());
	/*
	 * A socket's memory, and the module reference it holds, go after an
	 * RCU grace period (softirq looks sockets up under RCU).
	 */
	for (i = 0; i < 300; i++) {
		if (read_long("/sys/module/bertha/refcnt") == refcnt)
			break;
		usleep(10000);
	}
	EXPECT_EQ(refcnt, read_long("/sys/module/bertha/refcnt"));
}

FIXTURE(sock) {
	int fd;
};

FIXTURE_VARIANT(sock) {
	int type;
};

FIXTURE_VARIANT_ADD(sock, seqpacket) {
	.type = SOCK_SEQPACKET,
};

FIXTURE_VARIANT_ADD(sock, dgram) {
	.type = SOCK_DGRAM,
};

FIXTURE_SETUP(sock)
{
	self->fd = socket(bertha_family(), variant->type, 0);
	ASSERT_LE(0, self->fd) TH_LOG("socket: %s", strerror(errno));
}

FIXTURE_TEARDOWN(sock)
{
	close(self->fd);
}

TEST_F(sock, identity)
{
	int v;
	socklen_t len = sizeof(v);

	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_DOMAIN, &v, &len));
	EXPECT_EQ(bertha_family(), v);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_TYPE, &v, &len));
	EXPECT_EQ(variant->type, v);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_PROTOCOL, &v, &len));
	EXPECT_EQ(0, v);
}

TEST_F(sock, creation_flags)
{
	int fd = socket(bertha_family(),
			variant->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

/* SOL_SOCKET options are the socket core's and work already. */
TEST_F(sock, generic_options)
{
	int v = 65536;
	socklen_t len = sizeof(v);

	ASSERT_EQ(0, setsockopt(self->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_RCVBUF, &v, &len));
	EXPECT_EQ(2 * 65536, v);
}

#define EXPECT_EOPNOTSUPP(call) do {			\
		errno = 0;				\
		EXPECT_EQ(-1, (call));			\
		EXPECT_EQ(EOPNOTSUPP, errno) TH_LOG("%s", #call); \
	} while (0)

#define EXPECT_ERRNO(err, call) do {			\
		errno = 0;				\
		EXPECT_EQ(-1, (call));			\
		EXPECT_EQ(err, errno) TH_LOG("%s", #call); \
	} while (0)

/*
 * What a fresh socket refuses. SEQPACKET: for want of a connection.
 * SOCK_DGRAM: no connections; sends need an address (dgram_peers). One
 * case for both variants, so that neither has a case to skip.
 */
TEST_F(sock, fresh_socket_operations_fail_cleanly)
{
	struct sockaddr_storage ss = { .ss_family = bertha_family() };
	char buf[16] = "x";
	int v = 0, pair[2];

	if (variant->type == SOCK_SEQPACKET) {
		/* no IP family in the address */
		EXPECT_ERRNO(EAFNOSUPPORT,
			     connect(self->fd, (struct sockaddr *)&ss, sizeof(ss)));
		EXPECT_ERRNO(EINVAL, listen(self->fd, 1));	/* unbound */
		EXPECT_ERRNO(EINVAL, accept(self->fd, NULL, NULL));
		EXPECT_ERRNO(ENOTCONN, send(self->fd, buf, 1, MSG_DONTWAIT));
		EXPECT_ERRNO(ENOTCONN, recv(self->fd, buf, sizeof(buf), MSG_DONTWAIT));
		EXPECT_ERRNO(ENOTCONN, shutdown(self->fd, SHUT_RDWR));
	} else {
		ASSERT_EQ(SOCK_DGRAM, variant->type);
		EXPECT_EOPNOTSUPP(connect(self->fd, (struct sockaddr *)&ss, sizeof(ss)));
		EXPECT_EOPNOTSUPP(listen(self->fd, 1));
		EXPECT_EOPNOTSUPP(accept(self->fd, NULL, NULL));
		EXPECT_ERRNO(EDESTADDRREQ, send(self->fd, buf, 1, MSG_DONTWAIT));
		EXPECT_ERRNO(EAGAIN, recv(self->fd, buf, sizeof(buf), MSG_DONTWAIT));
		EXPECT_EOPNOTSUPP(shutdown(self->fd, SHUT_RDWR));
	}
	/* nothing queued: FIONREAD reads 0, as on AF_UNIX */
	v = -1;
	EXPECT_EQ(0, ioctl(self->fd, FIONREAD, &v));
	EXPECT_EQ(0, v);
	/* an ioctl sockets do not know: ENOTTY, as for AF_UNIX */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, TIOCGWINSZ, buf));
	EXPECT_EOPNOTSUPP(socketpair(bertha_family(), variant->type, 0, pair));
}

TEST_F(sock, unknown_options)
{
	socklen_t len = sizeof(int);
	int v = 0;

	EXPECT_EQ(-1, setsockopt(self->fd, OTHER_SOL, BERTHA_DAG, &v, sizeof(v)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(self->fd, OTHER_SOL, BERTHA_DAG, &v, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, setsockopt(self->fd, SOL_BERTHA, 1000, &v, sizeof(v)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(self->fd, SOL_BERTHA, 1000, &v, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);
}

TEST_HARNESS_MAIN
