// SPDX-License-Identifier: GPL-2.0
/*
 * conn_data: messages on connected SEQPACKET sockets, between two network
 * namespaces over IPv4 and IPv6: every size up to BERTHA_MSG_MAX arrives
 * intact and alone; truncation, MSG_TRUNC, MSG_PEEK, MSG_DONTWAIT,
 * SO_RCVTIMEO and signals behave as for other SEQPACKET families; poll
 * reports what is queued; shutdown and close reach the peer; a small
 * SO_RCVBUF drops whole messages (counted) without ever blocking the
 * sender; several clients echo concurrently through one listener.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "kselftest_harness.h"
#include "libbertha.h"
#include "netns.h"
#include "conn.h"

static struct netns_topo topo;

#define SRV	(topo.server_fd)
#define CLI	(topo.client_fd[0])

FIXTURE(data) {
	int lfd, cfd, afd;
	uint8_t *buf, *rbuf;
};

/* Every test runs over the network (UDP through the veth) and over the
 * local fast path, which the namespaces' switch selects.
 */
FIXTURE_VARIANT(data) {
	int ipfam;
	const char *sip;
	const char *cip;
	int local;
};

FIXTURE_VARIANT_ADD(data, ipv4) {
	.ipfam = AF_INET,
	.sip = "10.77.0.1",
	.cip = "10.77.0.2",
};

FIXTURE_VARIANT_ADD(data, ipv6) {
	.ipfam = AF_INET6,
	.sip = "fd77:0::1",
	.cip = "fd77:0::2",
};

FIXTURE_VARIANT_ADD(data, ipv4_local) {
	.ipfam = AF_INET,
	.sip = "10.77.0.1",
	.cip = "10.77.0.2",
	.local = 1,
};

FIXTURE_VARIANT_ADD(data, ipv6_local) {
	.ipfam = AF_INET6,
	.sip = "fd77:0::1",
	.cip = "fd77:0::2",
	.local = 1,
};

#define BIG	(BERTHA_MSG_MAX + 4096)

/* A connected pair: cfd in the client namespace, afd accepted from lfd. */
FIXTURE_SETUP(data)
{
	struct sockaddr_bertha a;

	self->buf = malloc(BIG);
	self->rbuf = malloc(BIG);
	ASSERT_TRUE(self->buf && self->rbuf);
	ASSERT_EQ(0, local_path_set_all(&topo, variant->local));
	self->lfd = make_listener(SRV, variant->ipfam, variant->sip, NULL, 8);
	ASSERT_LE(0, self->lfd);
	self->cfd = bsock(CLI, SOCK_SEQPACKET);
	ASSERT_LE(0, self->cfd);
	a = bname(self->lfd);
	ASSERT_EQ(0, bconnect(self->cfd, &a));
	self->afd = accept_wait(self->lfd, CONN_WAIT_MS, 0);
	ASSERT_LE(0, self->afd);
	/* every blocking call below is bounded */
	ASSERT_EQ(0, sockopt_ms(self->cfd, SO_RCVTIMEO, CONN_WAIT_MS));
	ASSERT_EQ(0, sockopt_ms(self->afd, SO_RCVTIMEO, CONN_WAIT_MS));
	ASSERT_EQ(0, sockopt_ms(self->cfd, SO_SNDTIMEO, CONN_WAIT_MS));
	ASSERT_EQ(0, sockopt_ms(self->afd, SO_SNDTIMEO, CONN_WAIT_MS));
	/* both ends agree on the path the switch asked for */
	ASSERT_EQ(variant->local ? BERTHA_PATH_LOCAL : BERTHA_PATH_NETWORK,
		  conn_path(self->cfd));
	ASSERT_EQ(variant->local ? BERTHA_PATH_LOCAL : BERTHA_PATH_NETWORK,
		  conn_path(self->afd));
}

FIXTURE_TEARDOWN(data)
{
	close(self->afd);
	close(self->cfd);
	close(self->lfd);
	free(self->buf);
	free(self->rbuf);
}

/* Send LEN bytes of pattern SEED from FROM; receive them at TO, checked. */
static int round_trip(int from, int to, uint8_t *buf, uint8_t *rbuf, size_t len,
		      uint32_t seed)
{
	ssize_t n;

	pat_fill(buf, len, seed);
	n = send(from, buf, len, 0);
	if (n != (ssize_t)len)
		return n < 0 ? errno : EIO;
	n = recv(to, rbuf, BIG, 0);
	if (n < 0)
		return errno;
	if ((size_t)n != len) {
		fprintf(stderr, "#   sent %zu bytes, received %zd\n", len, n);
		return EMSGSIZE;
	}
	if (pat_check(rbuf, len, seed) >= 0) {
		fprintf(stderr, "#   %zu-byte message corrupt at byte %ld\n", len,
			pat_check(rbuf, len, seed));
		return EBADMSG;
	}
	return 0;
}

TEST_F(data, sizes_round_trip)
{
	static const size_t sizes[] = { 1, 2, 7, 100, 1400, 1472, 1500, 4096,
					9000, 32768, 65000 - 1, BERTHA_MSG_MAX };
	unsigned int i;
	struct bertha_stats s;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* the client sends, the server echoes what it got */
		EXPECT_EQ(0, round_trip(self->cfd, self->afd, self->buf, self->rbuf,
					sizes[i], i)) TH_LOG("%zu bytes, client to server", sizes[i]);
		EXPECT_EQ(0, round_trip(self->afd, self->cfd, self->buf, self->rbuf,
					sizes[i], i + 100)) TH_LOG("%zu bytes, back", sizes[i]);
	}
	s = bstats(self->cfd);
	EXPECT_EQ(i, (long long)s.tx_messages);
	EXPECT_EQ(i, (long long)s.rx_messages);
	s = bstats(self->afd);
	EXPECT_EQ(i, (long long)s.tx_messages);
	EXPECT_EQ(i, (long long)s.rx_messages);
	EXPECT_EQ(0, (long long)s.rx_dropped);
}

TEST_F(data, too_big_and_unconnected)
{
	struct sockaddr_bertha any = sbe(variant->ipfam, variant->cip, 0);
	int s = bsock(CLI, SOCK_SEQPACKET);

	EXPECT_EQ(-1, send(self->cfd, self->buf, BERTHA_MSG_MAX + 1, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-1, send(self->cfd, self->buf, BIG, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(0, (long long)bstats(self->cfd).tx_messages);
	/* nothing reached the peer */
	EXPECT_EQ(-1, recv(self->afd, self->rbuf, BIG, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);

	/* sockets without a connection: fresh, bound, listening */
	ASSERT_LE(0, s);
	ASSERT_EQ(0, sockopt_ms(s, SO_RCVTIMEO, 2000));
	EXPECT_EQ(-1, send(s, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, recv(s, self->rbuf, 16, MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
	ASSERT_EQ(0, bbind(s, &any));
	EXPECT_EQ(-1, send(s, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, recv(s, self->rbuf, 16, 0));	/* without waiting */
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, send(self->lfd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ENOTCONN, errno);
	close(s);
}

/* Each send is one message; sendmsg's iovecs make one message too. */
TEST_F(data, message_boundaries)
{
	static const size_t sizes[] = { 10, 1, 300, 2000, 20 };
	struct iovec iov[3];
	unsigned int i;
	ssize_t n;

	for (i = 0; i < 5; i++) {
		pat_fill(self->buf, sizes[i], i);
		ASSERT_EQ((ssize_t)sizes[i], send(self->cfd, self->buf, sizes[i], 0));
	}
	for (i = 0; i < 5; i++) {
		n = recv(self->afd, self->rbuf, BIG, 0);
		EXPECT_EQ((ssize_t)sizes[i], n);
		EXPECT_EQ(-1, pat_check(self->rbuf, sizes[i], i));
	}
	EXPECT_EQ(-1, recv(self->afd, self->rbuf, BIG, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);

	pat_fill(self->buf, 3000, 42);
	iov[0] = (struct iovec){ self->buf, 1 };
	iov[1] = (struct iovec){ self->buf + 1, 1999 };
	iov[2] = (struct iovec){ self->buf + 2000, 1000 };
	{
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 3 };

		ASSERT_EQ(3000, sendmsg(self->afd, &m, 0));
	}
	n = recv(self->cfd, self->rbuf, BIG, 0);
	EXPECT_EQ(3000, n);
	EXPECT_EQ(-1, pat_check(self->rbuf, 3000, 42));

	/* write(2) and read(2) are send and recv */
	ASSERT_EQ(5, write(self->cfd, "hello", 5));
	memset(self->rbuf, 0, 16);
	EXPECT_EQ(5, read(self->afd, self->rbuf, 16));
	EXPECT_EQ(0, memcmp(self->rbuf, "hello", 5));
}

TEST_F(data, truncation_and_peek)
{
	struct iovec iov = { self->rbuf, 10 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	pat_fill(self->buf, 100, 1);
	ASSERT_EQ(100, send(self->cfd, self->buf, 100, 0));
	pat_fill(self->buf, 50, 2);
	ASSERT_EQ(50, send(self->cfd, self->buf, 50, 0));
	pat_fill(self->buf, 70, 3);
	ASSERT_EQ(70, send(self->cfd, self->buf, 70, 0));

	/* peek leaves the message queued, whole */
	n = recv(self->afd, self->rbuf, BIG, MSG_PEEK);
	EXPECT_EQ(100, n);
	EXPECT_EQ(-1, pat_check(self->rbuf, 100, 1));
	EXPECT_EQ(100, recv(self->afd, self->rbuf, BIG, MSG_PEEK));

	/* a short buffer: the leading bytes, MSG_TRUNC, the rest is gone */
	memset(self->rbuf, 0, 100);
	n = recvmsg(self->afd, &m, 0);
	EXPECT_EQ(10, n);
	EXPECT_TRUE(m.msg_flags & MSG_TRUNC);
	EXPECT_EQ(-1, pat_check(self->rbuf, 10, 1));
	EXPECT_EQ(0, self->rbuf[10]);

	/* MSG_TRUNC returns the real length even into a short buffer */
	n = recv(self->afd, self->rbuf, 5, MSG_TRUNC);
	EXPECT_EQ(50, n);
	EXPECT_EQ(-1, pat_check(self->rbuf, 5, 2));

	/* the next message is untouched by all that */
	m.msg_flags = 0;
	iov.iov_len = BIG;
	n = recvmsg(self->afd, &m, 0);
	EXPECT_EQ(70, n);
	EXPECT_FALSE(m.msg_flags & MSG_TRUNC);
	EXPECT_EQ(-1, pat_check(self->rbuf, 70, 3));
}

struct late_send {
	int fd;
	int ms;
};

static void *send_later(void *p)
{
	struct late_send *l = p;

	usleep(l->ms * 1000);
	send(l->fd, "abc", 3, 0);
	return NULL;
}

TEST_F(data, empty_queue_waits)
{
	long long t0, el;
	ssize_t n;

	EXPECT_EQ(-1, recv(self->afd, self->rbuf, BIG, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);

	ASSERT_EQ(0, sockopt_ms(self->afd, SO_RCVTIMEO, 300));
	t0 = now_ms();
	n = recv(self->afd, self->rbuf, BIG, 0);
	el = now_ms() - t0;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_GE(el, 250);
	EXPECT_LT(el, 3000);

	ASSERT_EQ(0, sockopt_ms(self->afd, SO_RCVTIMEO, CONN_WAIT_MS));
	ASSERT_EQ(0, arm_signal(300));
	n = recv(self->afd, self->rbuf, BIG, 0);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(1, conn_signals);
	disarm_signal();

	/* a message that arrives while the receiver sleeps wakes it */
	{
		struct late_send ls = { .fd = self->cfd, .ms = 200 };
		pthread_t t;

		ASSERT_EQ(0, pthread_create(&t, NULL, send_later, &ls));
		t0 = now_ms();
		n = recv(self->afd, self->rbuf, BIG, 0);
		el = now_ms() - t0;
		pthread_join(t, NULL);
		EXPECT_EQ(3, n);
		EXPECT_LT(el, 3000);
	}
}

TEST_F(data, poll_events)
{
	short rev;

	/* connected, nothing queued: writable only */
	rev = poll_fd(self->cfd, POLLIN | POLLOUT | POLLRDHUP, 0);
	EXPECT_EQ(POLLOUT, rev);
	rev = poll_fd(self->afd, POLLIN | POLLOUT | POLLRDHUP, 0);
	EXPECT_EQ(POLLOUT, rev);

	ASSERT_EQ(4, send(self->cfd, "ping", 4, 0));
	rev = poll_fd(self->afd, POLLIN, CONN_WAIT_MS);
	EXPECT_EQ(POLLIN, rev);
	EXPECT_EQ(POLLIN | POLLOUT, poll_fd(self->afd, POLLIN | POLLOUT, 0));
	EXPECT_EQ(4, recv(self->afd, self->rbuf, BIG, 0));
	EXPECT_EQ(0, poll_fd(self->afd, POLLIN, 0));
}

/* SHUT_WR: queued data first, then EOF; the shut side cannot send. */
TEST_F(data, shutdown_write)
{
	short rev;
	int i;

	for (i = 0; i < 2; i++) {
		pat_fill(self->buf, 500, i);
		ASSERT_EQ(500, send(self->cfd, self->buf, 500, 0));
	}
	ASSERT_EQ(0, shutdown(self->cfd, SHUT_WR));
	EXPECT_EQ(-1, send(self->cfd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);

	rev = poll_fd(self->afd, POLLRDHUP, CONN_WAIT_MS);
	EXPECT_TRUE(rev & POLLRDHUP) TH_LOG("revents 0x%x", rev);
	rev = poll_fd(self->afd, POLLIN | POLLRDHUP, 0);
	EXPECT_EQ(POLLIN | POLLRDHUP, rev & (POLLIN | POLLRDHUP));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(500, recv(self->afd, self->rbuf, BIG, 0));
		EXPECT_EQ(-1, pat_check(self->rbuf, 500, i));
	}
	/* EOF, again and again, without blocking */
	EXPECT_EQ(0, recv(self->afd, self->rbuf, BIG, 0));
	EXPECT_EQ(0, recv(self->afd, self->rbuf, BIG, 0));
}

static void expect_peer_closed(struct __test_metadata *_metadata, int fd,
			       uint8_t *rbuf)
{
	short rev = poll_fd(fd, POLLIN | POLLRDHUP, CONN_WAIT_MS);

	EXPECT_TRUE(rev & (POLLIN | POLLRDHUP | POLLHUP)) TH_LOG("revents 0x%x", rev);
	EXPECT_EQ(0, recv(fd, rbuf, BIG, 0));
	EXPECT_EQ(-1, send(fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
}

TEST_F(data, client_close_reaches_server)
{
	ASSERT_EQ(3, send(self->cfd, "bye", 3, 0));
	close(self->cfd);
	self->cfd = -1;
	/* what was sent before close is still delivered */
	EXPECT_EQ(3, recv(self->afd, self->rbuf, BIG, 0));
	expect_peer_closed(_metadata, self->afd, self->rbuf);
}

TEST_F(data, server_close_reaches_client)
{
	close(self->afd);
	self->afd = -1;
	expect_peer_closed(_metadata, self->cfd, self->rbuf);
}

/*
 * A receiver that does not read. The local path holds the sender back: each message stays charged
 * to the sender's SO_SNDBUF until it is read, so a reader that does not
 * read makes sends fail with EAGAIN (or wait) and the kernel does not
 * grow; nothing is dropped, and everything queued arrives once it reads.
 */
static void slow_reader_holds_sender_back(struct __test_metadata *_metadata,
					  FIXTURE_DATA(data) *self)
{
	const int size = 4000, sndbuf = 32768;
	int i, sent = 0, got = 0, err = 0;
	struct bertha_stats s;
	long bad;
	ssize_t n;

	ASSERT_EQ(0, setsockopt(self->cfd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	for (i = 0; i < 1000; i++) {
		pat_fill(self->buf, size, i);
		n = send(self->cfd, self->buf, size, MSG_DONTWAIT);
		if (n != size) {
			err = errno;
			break;
		}
		sent++;
	}
	TH_LOG("%d messages of %d bytes queued before the sender was held back",
	       sent, size);
	EXPECT_EQ(EAGAIN, err);
	/* the kernel doubles SO_SNDBUF; what is queued stays within it */
	EXPECT_LT(0, sent);
	EXPECT_GE(2 * sndbuf, (sent - 1) * size);
	EXPECT_FALSE(poll_fd(self->cfd, POLLOUT, 0) & POLLOUT);
	/* a blocking send waits, up to SO_SNDTIMEO */
	ASSERT_EQ(0, sockopt_ms(self->cfd, SO_SNDTIMEO, 200));
	EXPECT_EQ(-1, send(self->cfd, self->buf, size, 0));
	EXPECT_EQ(EAGAIN, errno);

	for (i = 0; i < sent; i++) {
		n = recv(self->afd, self->rbuf, BIG, MSG_DONTWAIT);
		ASSERT_EQ(size, n);
		bad = pat_check(self->rbuf, size, i);
		EXPECT_EQ(-1, bad) TH_LOG("message %d corrupt at %ld", i, bad);
		got++;
	}
	EXPECT_EQ(-1, recv(self->afd, self->rbuf, BIG, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	s = bstats(self->afd);
	EXPECT_EQ(0, (long long)s.rx_dropped);
	EXPECT_EQ((uint64_t)got, s.rx_messages);
	/* reading gave the space back */
	EXPECT_TRUE(poll_fd(self->cfd, POLLOUT, CONN_WAIT_MS) & POLLOUT);
	EXPECT_EQ(0, round_trip(self->cfd, self->afd, self->buf, self->rbuf, 64, 7));
}

/*
 * Over the network, with a small SO_RCVBUF: whole messages are dropped and
 * counted, the queued ones are intact and in order, and the sender never
 * blocks (there is no flow control without `reliable`).
 */
TEST_F(data, slow_reader)
{
	const int total = 200, size = 1000;
	int i, j, sent = 0, got = 0, rcvbuf = 4096, last = -1;
	long bad;
	struct bertha_stats s;
	long long t0, el;
	ssize_t n;

	if (variant->local) {
		slow_reader_holds_sender_back(_metadata, self);
		return;
	}
	ASSERT_EQ(0, setsockopt(self->afd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	t0 = now_ms();
	for (i = 0; i < total; i++) {
		pat_fill(self->buf, size, i);
		memcpy(self->buf, &i, sizeof(i));	/* sequence number */
		n = send(self->cfd, self->buf, size, 0);
		if (n == size)
			sent++;
		else
			EXPECT_TRUE(errno == EAGAIN || errno == ENOBUFS) TH_LOG("send: %s",
									       strerror(errno));
	}
	el = now_ms() - t0;
	TH_LOG("%d of %d sends succeeded in %lld ms", sent, total, el);
	EXPECT_LT(el, 20000);
	EXPECT_LT(0, sent);
	EXPECT_EQ((uint64_t)sent, bstats(self->cfd).tx_messages);

	/* every message is either queued or dropped, once it has arrived */
	t0 = now_ms() + CONN_WAIT_MS;
	do {
		s = bstats(self->afd);
		if (s.rx_messages + s.rx_dropped >= (uint64_t)sent)
			break;
		usleep(10000);
	} while (now_ms() < t0);
	TH_LOG("receiver: %llu queued, %llu dropped", (unsigned long long)s.rx_messages,
	       (unsigned long long)s.rx_dropped);
	EXPECT_EQ((uint64_t)sent, s.rx_messages + s.rx_dropped);
	EXPECT_LT(0, (long long)s.rx_dropped);
	EXPECT_LT(0, (long long)s.rx_messages);

	while ((n = recv(self->afd, self->rbuf, BIG, MSG_DONTWAIT)) >= 0) {
		int seq;

		EXPECT_EQ(size, n);
		memcpy(&seq, self->rbuf, sizeof(seq));
		EXPECT_LT(last, seq);
		for (j = sizeof(seq), bad = -1; j < size && bad < 0; j++)
			if (self->rbuf[j] != pat(seq, j))
				bad = j;
		EXPECT_EQ(-1, bad) TH_LOG("message %d corrupt", seq);
		last = seq;
		got++;
	}
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(s.rx_messages, (uint64_t)got);

	/* the connection still works once the receiver reads again */
	EXPECT_EQ(0, round_trip(self->cfd, self->afd, self->buf, self->rbuf, 64, 7));
}

/* Several clients, each echoing through its own accepted socket at once. */
#define NCLIENTS	4
#define NMSGS		20

struct echo_arg {
	int fd;
	uint32_t seed;
	int err;		/* 0, or what went wrong */
};

/* Server side: echo every message until EOF. */
static void *echo_server(void *p)
{
	struct echo_arg *e = p;
	uint8_t *buf = malloc(BIG);
	ssize_t n;

	e->err = buf ? 0 : ENOMEM;
	while (buf) {
		n = recv(e->fd, buf, BIG, 0);
		if (n <= 0) {
			e->err = n < 0 ? errno : 0;
			break;
		}
		if (send(e->fd, buf, n, 0) != n) {
			e->err = errno ? errno : EIO;
			break;
		}
	}
	free(buf);
	return NULL;
}

/* Client side: connect, send messages of varied sizes, check the echoes. */
struct client_arg {
	int fd;
	struct sockaddr_bertha to;
	uint32_t seed;
	int err;
	char what[96];
};

static void *echo_client(void *p)
{
	struct client_arg *c = p;
	uint8_t *buf = malloc(BIG), *rbuf = malloc(BIG);
	unsigned int seed = c->seed;
	int i;

	c->err = 0;
	if (!buf || !rbuf) {
		c->err = ENOMEM;
		goto out;
	}
	c->err = bconnect(c->fd, &c->to);
	if (c->err) {
		snprintf(c->what, sizeof(c->what), "connect");
		goto out;
	}
	for (i = 0; i < NMSGS; i++) {
		size_t len = 1 + rand_r(&seed) % (i % 5 ? 2000 : BERTHA_MSG_MAX);
		ssize_t n;

		pat_fill(buf, len, c->seed + i);
		if (send(c->fd, buf, len, 0) != (ssize_t)len) {
			c->err = errno;
			snprintf(c->what, sizeof(c->what), "send %d", i);
			break;
		}
		n = recv(c->fd, rbuf, BIG, 0);
		if (n != (ssize_t)len || pat_check(rbuf, len, c->seed + i) >= 0) {
			c->err = n < 0 ? errno : EBADMSG;
			snprintf(c->what, sizeof(c->what), "echo %d: %zd of %zu bytes",
				 i, n, len);
			break;
		}
	}
out:
	free(buf);
	free(rbuf);
	shutdown(c->fd, SHUT_WR);	/* the echo thread sees EOF */
	return NULL;
}

TEST_F_TIMEOUT(data, concurrent_clients_echo, 90)
{
	struct client_arg cl[NCLIENTS];
	struct echo_arg ec[NCLIENTS];
	pthread_t ct[NCLIENTS], et[NCLIENTS];
	struct sockaddr_bertha a = bname(self->lfd);
	int i, nacc = 0;

	/* all client sockets come from the client namespace */
	for (i = 0; i < NCLIENTS; i++) {
		cl[i].fd = bsock(CLI, SOCK_SEQPACKET);
		ASSERT_LE(0, cl[i].fd);
		ASSERT_EQ(0, sockopt_ms(cl[i].fd, SO_RCVTIMEO, 10000));
		cl[i].to = a;
		cl[i].seed = 1000 * (i + 1);
		cl[i].what[0] = 0;
	}
	for (i = 0; i < NCLIENTS; i++)
		ASSERT_EQ(0, pthread_create(&ct[i], NULL, echo_client, &cl[i]));
	for (i = 0; i < NCLIENTS; i++) {
		ec[i].fd = accept_wait(self->lfd, 10000, 0);
		if (ec[i].fd < 0)
			break;
		sockopt_ms(ec[i].fd, SO_RCVTIMEO, 15000);
		ASSERT_EQ(0, pthread_create(&et[i], NULL, echo_server, &ec[i]));
		nacc++;
	}
	EXPECT_EQ(NCLIENTS, nacc);
	for (i = 0; i < NCLIENTS; i++) {
		pthread_join(ct[i], NULL);
		EXPECT_EQ(0, cl[i].err) TH_LOG("client %d: %s: %s", i, cl[i].what,
					       strerror(cl[i].err));
	}
	for (i = 0; i < nacc; i++) {
		pthread_join(et[i], NULL);
		EXPECT_EQ(0, ec[i].err) TH_LOG("echo %d: %s", i, strerror(ec[i].err));
		close(ec[i].fd);
	}
	for (i = 0; i < NCLIENTS; i++)
		close(cl[i].fd);
	EXPECT_EQ(1 + NCLIENTS, (long long)bstats(self->lfd).negotiations_accepted);
}

int main(int argc, char **argv)
{
	int rc = netns_setup(&topo, "dt", 1);

	if (rc)
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, NULL);
	return test_harness_run(argc, argv);
}
