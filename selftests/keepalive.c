// SPDX-License-Identifier: GPL-2.0
/*
 * Keepalive (SO_KEEPALIVE with BERTHA_KEEPIDLE, BERTHA_KEEPINTVL and
 * BERTHA_KEEPCNT), as TCP's: an idle connection to a live peer probes and
 * stays up; one whose peer went silent (netem drops everything on the
 * veth) ends with ETIMEDOUT within idle + intvl * cnt; without
 * SO_KEEPALIVE nothing is sent; the options are range-checked, read back,
 * inherited by accepted sockets and refused on SOCK_DGRAM. The local
 * shortcut is off: every datagram crosses the veth.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <netinet/in.h>

#include "kselftest_harness.h"
#include "netns.h"
#include "conn.h"

static struct netns_topo topo;

#define SRV	(topo.server_fd)
#define CLI	(topo.client_fd[0])

static int set_int(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v)) ? errno : 0;
}

static int get_int(int fd, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_BERTHA, opt, &v, &len) || len != sizeof(v))
		return -1;
	return v;
}

FIXTURE(ka) {
	int l, c, a;
};

FIXTURE_VARIANT(ka) {
	int ipfam;
	const char *sip;
};

FIXTURE_VARIANT_ADD(ka, ipv4) {
	.ipfam = AF_INET, .sip = "10.77.0.1",
};

FIXTURE_VARIANT_ADD(ka, ipv6) {
	.ipfam = AF_INET6, .sip = "fd77:0::1",
};

/* A connected pair, keepalive on at the client: idle 1 s, 1 s, 2 probes. */
FIXTURE_SETUP(ka)
{
	struct sockaddr_bertha a;

	self->c = self->a = -1;
	ASSERT_EQ(0, local_path_set_all(&topo, 0));
	self->l = make_listener(SRV, variant->ipfam, variant->sip, NULL, 4);
	ASSERT_LE(0, self->l);
	self->c = bsock(CLI, SOCK_SEQPACKET);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, set_int(self->c, SOL_BERTHA, BERTHA_KEEPIDLE, 1));
	ASSERT_EQ(0, set_int(self->c, SOL_BERTHA, BERTHA_KEEPINTVL, 1));
	ASSERT_EQ(0, set_int(self->c, SOL_BERTHA, BERTHA_KEEPCNT, 2));
	a = bname(self->l);
	ASSERT_EQ(0, bconnect(self->c, &a));
	self->a = accept_wait(self->l, CONN_WAIT_MS, 0);
	ASSERT_LE(0, self->a);
	ASSERT_EQ(BERTHA_PATH_NETWORK, conn_path(self->c));
}

FIXTURE_TEARDOWN(ka)
{
	netns_netem(&topo, NULL);
	if (self->a >= 0)
		close(self->a);
	if (self->c >= 0)
		close(self->c);
	close(self->l);
}

TEST_F(ka, options)
{
	int d = bsock(CLI, SOCK_DGRAM), l2, c2, a2, on = 0;
	socklen_t len = sizeof(on);
	struct sockaddr_bertha a;

	ASSERT_LE(0, d);
	EXPECT_EQ(1, get_int(self->c, BERTHA_KEEPIDLE));
	EXPECT_EQ(1, get_int(self->c, BERTHA_KEEPINTVL));
	EXPECT_EQ(2, get_int(self->c, BERTHA_KEEPCNT));
	/* TCP's defaults on a new socket */
	EXPECT_EQ(7200, get_int(self->l, BERTHA_KEEPIDLE));
	EXPECT_EQ(75, get_int(self->l, BERTHA_KEEPINTVL));
	EXPECT_EQ(9, get_int(self->l, BERTHA_KEEPCNT));
	EXPECT_EQ(EINVAL, set_int(self->c, SOL_BERTHA, BERTHA_KEEPIDLE, 0));
	EXPECT_EQ(EINVAL, set_int(self->c, SOL_BERTHA, BERTHA_KEEPIDLE, BERTHA_KEEP_MAX + 1));
	EXPECT_EQ(EINVAL, set_int(self->c, SOL_BERTHA, BERTHA_KEEPINTVL, -1));
	EXPECT_EQ(EINVAL, set_int(self->c, SOL_BERTHA, BERTHA_KEEPCNT, 128));
	EXPECT_EQ(0, set_int(self->c, SOL_BERTHA, BERTHA_KEEPCNT, 127));
	EXPECT_EQ(-1, setsockopt(self->c, SOL_BERTHA, BERTHA_KEEPCNT, "x", 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(EOPNOTSUPP, set_int(d, SOL_BERTHA, BERTHA_KEEPIDLE, 5));
	EXPECT_EQ(-1, get_int(d, BERTHA_KEEPIDLE));
	EXPECT_EQ(EOPNOTSUPP, errno);

	/* an accepted socket inherits its listener's */
	l2 = make_listener(SRV, variant->ipfam, variant->sip, NULL, 4);
	ASSERT_LE(0, l2);
	ASSERT_EQ(0, set_int(l2, SOL_SOCKET, SO_KEEPALIVE, 1));
	ASSERT_EQ(0, set_int(l2, SOL_BERTHA, BERTHA_KEEPIDLE, 33));
	ASSERT_EQ(0, set_int(l2, SOL_BERTHA, BERTHA_KEEPCNT, 4));
	c2 = bsock(CLI, SOCK_SEQPACKET);
	ASSERT_LE(0, c2);
	a = bname(l2);
	ASSERT_EQ(0, bconnect(c2, &a));
	a2 = accept_wait(l2, CONN_WAIT_MS, 0);
	ASSERT_LE(0, a2);
	EXPECT_EQ(33, get_int(a2, BERTHA_KEEPIDLE));
	EXPECT_EQ(4, get_int(a2, BERTHA_KEEPCNT));
	EXPECT_EQ(0, getsockopt(a2, SOL_SOCKET, SO_KEEPALIVE, &on, &len));
	EXPECT_EQ(1, on);
	close(a2);
	close(c2);
	close(l2);
	close(d);
}

/* Keepalive off: an idle connection sends nothing, whatever the knobs. */
TEST_F(ka, off_sends_nothing)
{
	usleep(3000000);
	EXPECT_EQ(0, (long long)bstats(self->c).keepalive_probes);
	EXPECT_EQ(0, so_error(self->c));
}

/* A live peer answers: probes go, the connection stays. */
TEST_F(ka, live_peer_stays)
{
	char buf[8];
	struct bertha_stats s;

	ASSERT_EQ(0, set_int(self->c, SOL_SOCKET, SO_KEEPALIVE, 1));
	usleep(4500000);
	s = bstats(self->c);
	TH_LOG("probes %llu after 4.5 s idle", (unsigned long long)s.keepalive_probes);
	/* idle 1 s, then a probe each time 1 s more passes unheard */
	EXPECT_LE(2, (long long)s.keepalive_probes);
	EXPECT_GE(5, (long long)s.keepalive_probes);
	EXPECT_EQ(0, (long long)s.keepalive_timeouts);
	EXPECT_EQ(0, so_error(self->c));
	ASSERT_EQ(2, send(self->c, "hi", 2, 0));
	EXPECT_EQ(2, recv(self->a, buf, sizeof(buf), 0));
	ASSERT_EQ(2, send(self->a, "yo", 2, 0));
	EXPECT_EQ(2, recv(self->c, buf, sizeof(buf), 0));
}

/* A peer gone silent: ETIMEDOUT within idle + intvl * cnt (+ slack). */
TEST_F(ka, silent_peer_times_out)
{
	long long t0, dt;
	char buf[8];
	ssize_t n;

	ASSERT_EQ(0, netns_netem(&topo, "loss 100%"));
	/* the idle time counts from here */
	t0 = now_ms();
	ASSERT_EQ(0, set_int(self->c, SOL_SOCKET, SO_KEEPALIVE, 1));
	ASSERT_EQ(0, sockopt_ms(self->c, SO_RCVTIMEO, 15000));
	n = recv(self->c, buf, sizeof(buf), 0);
	dt = now_ms() - t0;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(ETIMEDOUT, errno);
	TH_LOG("dead peer detected after %lld ms (idle 1 s + 2 x 1 s)", dt);
	EXPECT_LE(2500, dt);
	EXPECT_GE(8000, dt);
	EXPECT_EQ(2, (long long)bstats(self->c).keepalive_probes);
	EXPECT_EQ(1, (long long)bstats(self->c).keepalive_timeouts);
	/* then end of stream, and sends fail */
	EXPECT_EQ(0, recv(self->c, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(-1, send(self->c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
}

int main(int argc, char **argv)
{
	if (netns_setup(&topo, "ka", 1))
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, NULL);
	return test_harness_run(argc, argv);
}
