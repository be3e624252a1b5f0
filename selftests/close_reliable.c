// SPDX-License-Identifier: GPL-2.0
/*
 * close_reliable: CLOSE is sent again until the peer echoes it, and a
 * client that gives up its handshake aborts the connection the listener
 * made (kmod/close.c). The local shortcut is off: every datagram crosses
 * the veth, where netem drops what the test says.
 *
 * - closes during a total loss: the server still reads end of stream on
 *   every connection once the loss ends (the retransmissions, counted);
 * - a peer that never answers: the CLOSE is given up after five
 *   retransmissions (close-unacked), nothing more is sent;
 * - the ACCEPT lost: the client's close() or ETIMEDOUT aborts the
 *   connection waiting in the listener's accept queue (handshake_aborts),
 *   and one already accepted reads ECONNRESET.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <netinet/in.h>

#include "kselftest_harness.h"
#include "netns.h"
#include "conn.h"

static struct netns_topo topo;

#define SRV	(topo.server_fd)
#define CLI	(topo.client_fd[0])

/* netem drops all egress of DEV in NS (on), or nothing (off). */
static int loss(const char *ns, const char *dev, int on)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 on ? "tc -n %s qdisc replace dev %s root netem loss 100%%" :
		      "tc -n %s qdisc del dev %s root 2>/dev/null; true",
		 ns, dev);
	return netns_sh(cmd);
}

static long long client_stat(const char *name)
{
	return ns_counter(name, topo.client[0]);
}

/* NAME of NS once it stayed the same for a second (15 s at most). */
static long long settled(const char *name, const char *ns)
{
	long long v = ns_counter(name, ns), prev = -2;
	int i;

	for (i = 0; i < 15 && v != prev; i++) {
		prev = v;
		usleep(1000000);
		v = ns_counter(name, ns);
	}
	return v;
}

/* 1 once FD has something to read (end of stream counts), within MS. */
static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* A connection to listener L over the veth: client C, accepted A. */
static int pair(int l, int *c, int *a)
{
	struct sockaddr_bertha to = bname(l);

	*a = -1;
	*c = bsock(CLI, SOCK_SEQPACKET);
	if (*c < 0 || bconnect(*c, &to))
		return -1;
	*a = accept_wait(l, CONN_WAIT_MS, 0);
	return *a < 0 || conn_path(*c) != BERTHA_PATH_NETWORK ? -1 : 0;
}

FIXTURE(cl) {
	int l;
};

FIXTURE_SETUP(cl)
{
	ASSERT_EQ(0, local_path_set_all(&topo, 0));
	self->l = make_listener(SRV, AF_INET, "10.77.0.1", NULL, 16);
	ASSERT_LE(0, self->l);
}

FIXTURE_TEARDOWN(cl)
{
	loss(topo.client[0], "cv0", 0);
	loss(topo.server, "sv0", 0);
	close(self->l);
}

/* No loss: the echo comes at once and nothing is sent again. */
TEST_F(cl, close_echoed)
{
	long long crtx0 = settled("close-retransmits", topo.client[0]);
	long long srtx0 = settled("close-retransmits", topo.server);
	char buf[8];
	int c, a;

	ASSERT_LE(0, crtx0);
	ASSERT_LE(0, srtx0);
	ASSERT_EQ(0, pair(self->l, &c, &a));
	close(c);
	ASSERT_EQ(1, readable(a, 5000));
	EXPECT_EQ(0, recv(a, buf, sizeof(buf), 0));
	/* the client's end is gone: the server's close has nobody to tell */
	close(a);
	usleep(1500000);
	EXPECT_EQ(crtx0, client_stat("close-retransmits"));
	EXPECT_EQ(srtx0, ns_counter("close-retransmits", topo.server));
}

TEST_F_TIMEOUT(cl, close_survives_loss, 60)
{
	enum { N = 8 };
	int c[N], a[N], i, eof = 0;
	long long rtx0 = client_stat("close-retransmits");
	char buf[8];

	ASSERT_LE(0, rtx0);
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, pair(self->l, &c[i], &a[i]));
	/* every first CLOSE is lost, and the retransmissions of 0.2 and 0.6 s */
	ASSERT_EQ(0, loss(topo.client[0], "cv0", 1));
	for (i = 0; i < N; i++)
		close(c[i]);
	EXPECT_LE(rtx0 + 2 * N,
		  ns_counter_wait("close-retransmits", topo.client[0],
				  rtx0 + 2 * N, 10000));
	EXPECT_EQ(0, readable(a[0], 0));
	ASSERT_EQ(0, loss(topo.client[0], "cv0", 0));
	for (i = 0; i < N; i++) {
		if (readable(a[i], 8000) &&
		    recv(a[i], buf, sizeof(buf), MSG_DONTWAIT) == 0)
			eof++;
		close(a[i]);
	}
	TH_LOG("%d of %d servers read end of stream; %lld retransmissions",
	       eof, N, client_stat("close-retransmits") - rtx0);
	EXPECT_EQ(N, eof);
}

/* The peer is gone for good: five retransmissions, then it is given up. */
TEST_F_TIMEOUT(cl, close_given_up, 60)
{
	long long rtx0 = client_stat("close-retransmits");
	long long gone0 = client_stat("close-unacked");
	int c, a;

	ASSERT_LE(0, rtx0);
	ASSERT_LE(0, gone0);
	ASSERT_EQ(0, pair(self->l, &c, &a));
	ASSERT_EQ(0, loss(topo.client[0], "cv0", 1));
	close(c);
	/* 0.2 + 0.4 + 0.8 + 1.6 + 3.2 s, and 6.4 s for the last echo */
	EXPECT_EQ(gone0 + 1, ns_counter_wait("close-unacked", topo.client[0],
					     gone0 + 1, 25000));
	EXPECT_EQ(rtx0 + 5, client_stat("close-retransmits"));
	close(a);
}

/*
 * The ACCEPT is lost (the server's egress dropped) after the listener
 * made the connection; the client gives up with close() before the
 * application accepted it (ACCEPTED 0), or after (1).
 */
static void abort_case(struct __test_metadata *_metadata, int l,
		       int accepted)
{
	struct sockaddr_bertha to = bname(l);
	int c = bsock(CLI, SOCK_SEQPACKET | SOCK_NONBLOCK), a = -1;
	long long aborts0 = ns_counter("aborts", topo.server);
	char buf[8];

	ASSERT_LE(0, c);
	ASSERT_LE(0, aborts0);
	ASSERT_EQ(0, loss(topo.server, "sv0", 1));
	ASSERT_EQ(-1, connect(c, (struct sockaddr *)&to, sizeof(to)));
	ASSERT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(1, stats_wait(l, negotiations_accepted, 1, 5000));
	if (accepted) {
		a = accept_wait(l, CONN_WAIT_MS, 0);
		ASSERT_LE(0, a);
	}
	close(c);
	/* the abort goes out on the client's side, where nothing is lost */
	EXPECT_EQ(1, stats_wait(l, handshake_aborts, 1, 5000));
	/* its echo is lost (the server's egress is): the abort comes again
	 * at 0.2 and 0.6 s and changes nothing more
	 */
	usleep(1000000);
	EXPECT_EQ(1, (long long)bstats(l).handshake_aborts);
	EXPECT_EQ(aborts0 + 1, ns_counter("aborts", topo.server));
	if (accepted) {
		EXPECT_EQ(-1, recv(a, buf, sizeof(buf), MSG_DONTWAIT));
		EXPECT_EQ(ECONNRESET, errno);
		close(a);
	} else {
		/* no orphan: the accept queue is empty */
		EXPECT_EQ(0, readable(l, 500));
		ASSERT_EQ(0, fcntl(l, F_SETFL, O_NONBLOCK));
		EXPECT_EQ(-1, accept(l, NULL, NULL));
		EXPECT_EQ(EAGAIN, errno);
	}
}

TEST_F(cl, abort_queued)
{
	abort_case(_metadata, self->l, 0);
}

TEST_F(cl, abort_accepted)
{
	abort_case(_metadata, self->l, 1);
}

/* A blocking connect that times out aborts as well. */
TEST_F_TIMEOUT(cl, abort_on_timeout, 60)
{
	struct sockaddr_bertha to = bname(self->l);
	int c = bsock(CLI, SOCK_SEQPACKET);

	ASSERT_LE(0, c);
	ASSERT_EQ(0, loss(topo.server, "sv0", 1));
	EXPECT_EQ(-1, connect(c, (struct sockaddr *)&to, sizeof(to)));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(1, stats_wait(self->l, handshake_aborts, 1, 5000));
	EXPECT_EQ(0, readable(self->l, 500));
	EXPECT_EQ(1, (long long)bstats(self->l).negotiations_accepted);
	close(c);
}

int main(int argc, char **argv)
{
	if (netns_setup(&topo, "cl", 1))
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, NULL);
	return test_harness_run(argc, argv);
}
