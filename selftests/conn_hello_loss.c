// SPDX-License-Identifier: GPL-2.0
/*
 * conn_hello_loss: the handshake survives loss. netem drops everything one
 * end of the veth pair sends for a while: lost HELLOs are retransmitted
 * (hello_retransmits), a lost ACCEPT makes the listener see the same HELLO
 * again (hello_duplicate) and answer it without queueing a second
 * connection, and a blocking connect whose SO_SNDTIMEO runs out during the
 * loss returns EINPROGRESS and completes in the background. The loss is
 * switched off by the test once the counters show it bit, not after a
 * fixed sleep, so the outcome does not depend on timing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "kselftest_harness.h"
#include "libbertha.h"
#include "netns.h"
#include "conn.h"

static struct netns_topo topo;

#define SRV	(topo.server_fd)
#define CLI	(topo.client_fd[0])

/* Drop all egress of DEV in namespace NS (on), or stop dropping (off). */
static int netem_loss(const char *ns, const char *dev, int on)
{
	char cmd[256];

	if (on)
		snprintf(cmd, sizeof(cmd), "tc -n %s qdisc add dev %s root netem loss 100%%",
			 ns, dev);
	else
		snprintf(cmd, sizeof(cmd), "tc -n %s qdisc del dev %s root", ns, dev);
	return netns_sh(cmd);
}

FIXTURE(loss) {
	int lfd;
	int loss_on[2];		/* [0] client side, [1] server side */
};

FIXTURE_VARIANT(loss) {
	int ipfam;
	const char *sip;
};

FIXTURE_VARIANT_ADD(loss, ipv4) {
	.ipfam = AF_INET,
	.sip = "10.77.0.1",
};

FIXTURE_VARIANT_ADD(loss, ipv6) {
	.ipfam = AF_INET6,
	.sip = "fd77:0::1",
};

FIXTURE_SETUP(loss)
{
	self->loss_on[0] = self->loss_on[1] = 0;
	/* a guest without tc is a broken runner: red, not a skip */
	ASSERT_EQ(0, netns_sh("command -v tc >/dev/null"))
		TH_LOG("iproute2's tc is not installed in the guest");
	self->lfd = make_listener(SRV, variant->ipfam, variant->sip, "identity", 8);
	ASSERT_LE(0, self->lfd);
}

/* The topology outlives the test: never leave a qdisc behind. */
FIXTURE_TEARDOWN(loss)
{
	if (self->loss_on[0])
		netem_loss(topo.client[0], "cv0", 0);
	if (self->loss_on[1])
		netem_loss(topo.server, "sv0", 0);
	close(self->lfd);
}

static int loss(FIXTURE_DATA(loss) *self, int server_side, int on)
{
	int err = netem_loss(server_side ? topo.server : topo.client[0],
			     server_side ? "sv0" : "cv0", on);

	if (!err)
		self->loss_on[server_side] = on;
	return err;
}

/* Lost HELLOs: the retransmit after the loss ends gets through. */
TEST_F(loss, lost_hello_retransmitted)
{
	struct sockaddr_bertha a = bname(self->lfd);
	int c = bsock(CLI, SOCK_SEQPACKET | SOCK_NONBLOCK), afd;
	struct bertha_stats s;
	char buf[8];
	short rev;

	ASSERT_LE(0, c);
	ASSERT_EQ(0, loss(self, 0, 1));	/* netem: a guest without it is broken */
	ASSERT_EQ(EINPROGRESS, bconnect(c, &a));
	/* the first HELLO and one retransmit went into the void */
	ASSERT_TRUE(stats_wait(c, hello_sent, 2, CONN_WAIT_MS));
	EXPECT_EQ(0, (long long)bstats(self->lfd).hello_received);
	ASSERT_EQ(0, loss(self, 0, 0));

	rev = poll_fd(c, POLLOUT, 8000);
	EXPECT_TRUE(rev & POLLOUT) TH_LOG("revents 0x%x", rev);
	EXPECT_FALSE(rev & (POLLERR | POLLHUP));
	EXPECT_EQ(0, so_error(c));
	s = bstats(c);
	TH_LOG("client: %llu HELLOs, %llu retransmits", (unsigned long long)s.hello_sent,
	       (unsigned long long)s.hello_retransmits);
	EXPECT_LE(1, (long long)s.hello_retransmits);
	EXPECT_EQ(s.hello_sent, 1 + s.hello_retransmits);
	EXPECT_EQ(1, (long long)s.negotiations_accepted);

	afd = accept_wait(self->lfd, CONN_WAIT_MS, 0);
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, sockopt_ms(afd, SO_RCVTIMEO, CONN_WAIT_MS));
	ASSERT_EQ(5, send(c, "after", 5, 0));
	EXPECT_EQ(5, recv(afd, buf, sizeof(buf), 0));
	close(afd);
	close(c);
}

/* Lost ACCEPTs: the listener answers the retransmitted HELLO again. */
TEST_F(loss, lost_accept_answers_duplicate)
{
	struct sockaddr_bertha a = bname(self->lfd);
	int c = bsock(CLI, SOCK_SEQPACKET | SOCK_NONBLOCK), afd;
	struct bertha_stats s;
	char buf[8];
	short rev;

	ASSERT_LE(0, c);
	ASSERT_EQ(0, loss(self, 1, 1));
	ASSERT_EQ(EINPROGRESS, bconnect(c, &a));
	/* the listener took the first HELLO and then saw it again */
	ASSERT_TRUE(stats_wait(self->lfd, hello_duplicate, 1, CONN_WAIT_MS));
	EXPECT_EQ(0, poll_fd(c, POLLOUT, 0));	/* no ACCEPT got through */
	ASSERT_EQ(0, loss(self, 1, 0));

	rev = poll_fd(c, POLLOUT, 8000);
	EXPECT_TRUE(rev & POLLOUT) TH_LOG("revents 0x%x", rev);
	EXPECT_EQ(0, so_error(c));
	EXPECT_LE(1, (long long)bstats(c).hello_retransmits);
	s = bstats(self->lfd);
	TH_LOG("listener: %llu HELLOs, %llu duplicates", (unsigned long long)s.hello_received,
	       (unsigned long long)s.hello_duplicate);
	EXPECT_LE(1, (long long)s.hello_duplicate);
	EXPECT_EQ(1, (long long)s.negotiations_accepted);

	/* one connection, however many HELLOs */
	afd = accept_wait(self->lfd, CONN_WAIT_MS, 0);
	ASSERT_LE(0, afd);
	EXPECT_EQ(0, poll_fd(self->lfd, POLLIN, 300));
	ASSERT_EQ(0, sockopt_ms(afd, SO_RCVTIMEO, CONN_WAIT_MS));
	ASSERT_EQ(2, send(c, "ok", 2, 0));
	EXPECT_EQ(2, recv(afd, buf, sizeof(buf), 0));
	close(afd);
	close(c);
}

/* Blocking connect, SO_SNDTIMEO shorter than the loss: EINPROGRESS first. */
TEST_F(loss, sndtimeo_then_background_completion)
{
	struct sockaddr_bertha a = bname(self->lfd);
	int c = bsock(CLI, SOCK_SEQPACKET), afd;
	long long t0, el;
	short rev;

	ASSERT_LE(0, c);
	ASSERT_EQ(0, sockopt_ms(c, SO_SNDTIMEO, 300));
	ASSERT_EQ(0, loss(self, 0, 1));	/* netem: a guest without it is broken */
	t0 = now_ms();
	EXPECT_EQ(EINPROGRESS, bconnect(c, &a));
	el = now_ms() - t0;
	EXPECT_GE(el, 250);
	EXPECT_LT(el, 3000);
	ASSERT_EQ(0, loss(self, 0, 0));

	rev = poll_fd(c, POLLOUT, 8000);
	EXPECT_TRUE(rev & POLLOUT) TH_LOG("revents 0x%x", rev);
	EXPECT_EQ(0, so_error(c));
	EXPECT_LE(1, (long long)bstats(c).hello_retransmits);
	afd = accept_wait(self->lfd, CONN_WAIT_MS, 0);
	EXPECT_LE(0, afd);
	close(afd);
	close(c);
}

int main(int argc, char **argv)
{
	int rc = netns_setup(&topo, "hl", 1);

	if (rc)
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, NULL);
	return test_harness_run(argc, argv);
}
