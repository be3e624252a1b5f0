// SPDX-License-Identifier: GPL-2.0
/*
 * dgram_peers: SOCK_DGRAM sockets exchange messages with many peers through
 * sendto/recvfrom, each peer negotiated on first contact: the first sendto
 * to an address runs HELLO/ACCEPT, a HELLO from a new address makes a peer
 * at the receiver, refusals come back as the documented errnos, and the
 * counters say how many negotiations each end did. Every case runs on the
 * network path and on the local fast path (the peers share a host), whose
 * switch each variant sets in both namespaces.
 */
#define _GNU_SOURCE
#include <errno.h>
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

FIXTURE(dg) {
	int sfd;
	struct sockaddr_bertha saddr;
};

FIXTURE_VARIANT(dg) {
	int ipfam;
	const char *sip;
	const char *cip;
	int local;
};

FIXTURE_VARIANT_ADD(dg, ipv4) {
	.ipfam = AF_INET,
	.sip = "10.77.0.1",
	.cip = "10.77.0.2",
};

FIXTURE_VARIANT_ADD(dg, ipv6) {
	.ipfam = AF_INET6,
	.sip = "fd77:0::1",
	.cip = "fd77:0::2",
};

FIXTURE_VARIANT_ADD(dg, ipv4_local) {
	.ipfam = AF_INET,
	.sip = "10.77.0.1",
	.cip = "10.77.0.2",
	.local = 1,
};

FIXTURE_VARIANT_ADD(dg, ipv6_local) {
	.ipfam = AF_INET6,
	.sip = "fd77:0::1",
	.cip = "fd77:0::2",
	.local = 1,
};

/* A bound SOCK_DGRAM server in the server namespace, DAG "identity". */
FIXTURE_SETUP(dg)
{
	struct sockaddr_bertha a = sbe(variant->ipfam, variant->sip, 0);

	ASSERT_EQ(0, local_path_set_all(&topo, variant->local));
	self->sfd = bsock(SRV, SOCK_DGRAM);
	ASSERT_LE(0, self->sfd);
	ASSERT_EQ(0, set_dag(self->sfd, "identity"));
	ASSERT_EQ(0, bbind(self->sfd, &a));
	self->saddr = bname(self->sfd);
	ASSERT_EQ(0, sockopt_ms(self->sfd, SO_RCVTIMEO, CONN_WAIT_MS));
}

FIXTURE_TEARDOWN(dg)
{
	close(self->sfd);
}

static ssize_t send_to(int fd, const void *buf, size_t len, int flags,
		       const struct sockaddr_bertha *to)
{
	return sendto(fd, buf, len, flags, (const struct sockaddr *)to,
		      sizeof(*to));
}

static ssize_t recv_from(int fd, void *buf, size_t len,
			 struct sockaddr_bertha *from)
{
	socklen_t alen = sizeof(*from);

	memset(from, 0, sizeof(*from));
	return recvfrom(fd, buf, len, 0, (struct sockaddr *)from, &alen);
}

/* The &enum bertha_path of FD's peer at TO, or -errno (ENOTCONN: none). */
static int peer_path(int fd, const struct sockaddr_bertha *to)
{
	struct binding_buf b;
	socklen_t len = sizeof(b);

	memcpy(&b, to, sizeof(*to));
	if (getsockopt(fd, SOL_BERTHA, BERTHA_BINDING, &b, &len))
		return -errno;
	return b.b.path;
}

/* Wait up to MS for FD to have no negotiated peer at TO. */
static int peer_forgotten(int fd, const struct sockaddr_bertha *to, int ms)
{
	long long end = now_ms() + ms;

	while (peer_path(fd, to) != -ENOTCONN) {
		if (now_ms() > end)
			return 0;
		usleep(10000);
	}
	return 1;
}

/* A client DGRAM socket in the client namespace, bounded waits. */
static int client(void)
{
	int fd = bsock(CLI, SOCK_DGRAM);

	if (fd >= 0 && (sockopt_ms(fd, SO_RCVTIMEO, CONN_WAIT_MS) ||
			sockopt_ms(fd, SO_SNDTIMEO, 3 * CONN_WAIT_MS))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The first sendto negotiates; the answer needs no second negotiation. */
TEST_F(dg, first_contact_negotiates)
{
	struct sockaddr_bertha from, me, back;
	struct bertha_stats cs, ss;
	char buf[64];
	int c = client();

	ASSERT_LE(0, c);
	ASSERT_EQ(4, send_to(c, "ping", 4, 0, &self->saddr));
	ASSERT_EQ(4, recv_from(self->sfd, buf, sizeof(buf), &from));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	me = bname(c);
	EXPECT_EQ(me.sbe_port, from.sbe_port);
	EXPECT_EQ(variant->ipfam, from.sbe_ip_family);
	back = sbe(variant->ipfam, variant->cip, ntohs(me.sbe_port));
	EXPECT_TRUE(sbe_equal(&back, &from));

	ASSERT_EQ(4, send_to(self->sfd, "pong", 4, 0, &from));
	ASSERT_EQ(4, recv_from(c, buf, sizeof(buf), &from));
	EXPECT_EQ(0, memcmp(buf, "pong", 4));
	EXPECT_TRUE(sbe_equal(&self->saddr, &from));

	cs = bstats(c);
	ss = bstats(self->sfd);
	EXPECT_EQ(1, (long long)cs.hello_sent);
	EXPECT_EQ(1, (long long)cs.negotiations_accepted);
	EXPECT_EQ(1, (long long)ss.hello_received);
	EXPECT_EQ(1, (long long)ss.negotiations_accepted);
	EXPECT_EQ(0, (long long)ss.hello_sent);	/* the reply needed none */
	EXPECT_EQ(1, (long long)cs.tx_messages);
	EXPECT_EQ(1, (long long)ss.rx_messages);
	/* both ends on the path the namespaces' switches allow */
	EXPECT_EQ(variant->local, peer_path(c, &self->saddr));
	EXPECT_EQ(variant->local, peer_path(self->sfd, &back));
	/* a SOCK_DGRAM socket's own DAG stays what it set: none */
	EXPECT_FALSE(dag_is(c, "identity"));
	close(c);
}

/* One socket, three peers, each answered on its own. */
TEST_F(dg, many_peers)
{
	struct sockaddr_bertha from[3];
	int c[3], i, j, seen = 0;
	char buf[16];

	for (i = 0; i < 3; i++) {
		c[i] = client();
		ASSERT_LE(0, c[i]);
		buf[0] = 'a' + i;
		ASSERT_EQ(1, send_to(c[i], buf, 1, 0, &self->saddr));
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, recv_from(self->sfd, buf, sizeof(buf), &from[i]));
		seen |= 1 << (buf[0] - 'a');
		for (j = 0; j < i; j++)
			EXPECT_FALSE(sbe_equal(&from[i], &from[j]));
		/* reply with the peer's letter, upper case */
		buf[0] -= 'a' - 'A';
		ASSERT_EQ(1, send_to(self->sfd, buf, 1, 0, &from[i]));
	}
	EXPECT_EQ(7, seen);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, recv(c[i], buf, sizeof(buf), 0));
		EXPECT_EQ('A' + i, buf[0]);
		close(c[i]);
	}
	EXPECT_EQ(3, (long long)bstats(self->sfd).negotiations_accepted);
}

/* A DAG the server does not have: refused, once per attempt. */
TEST_F(dg, refused_each_attempt)
{
	struct bertha_stats cs;
	int c = client();

	ASSERT_LE(0, c);
	ASSERT_EQ(0, set_dag(c, "identity |> identity"));
	EXPECT_EQ(-1, send_to(c, "x", 1, 0, &self->saddr));
	EXPECT_EQ(EPROTOTYPE, errno);
	EXPECT_EQ(-1, send_to(c, "x", 1, 0, &self->saddr));
	EXPECT_EQ(EPROTOTYPE, errno);
	cs = bstats(c);
	EXPECT_EQ(2, (long long)cs.hello_sent);
	EXPECT_EQ(2, (long long)cs.rejected[BERTHA_REJECT_DAG_MISMATCH]);
	EXPECT_EQ(BERTHA_REJECT_DAG_MISMATCH, (long long)cs.last_reject_reason);
	EXPECT_EQ(2, (long long)bstats(self->sfd).negotiations_rejected);
	EXPECT_EQ(0, (long long)bstats(self->sfd).rx_messages);
	close(c);
}

/* MSG_DONTWAIT: EAGAIN while negotiating, sends once it is done. */
TEST_F(dg, nonblocking_first_contact)
{
	struct sockaddr_bertha from;
	char buf[16];
	int c = client();

	ASSERT_LE(0, c);
	EXPECT_EQ(-1, send_to(c, "1", 1, MSG_DONTWAIT, &self->saddr));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_TRUE(stats_wait(c, negotiations_accepted, 1, CONN_WAIT_MS));
	ASSERT_EQ(1, send_to(c, "2", 1, MSG_DONTWAIT, &self->saddr));
	ASSERT_EQ(1, recv_from(self->sfd, buf, sizeof(buf), &from));
	EXPECT_EQ('2', buf[0]);	/* the refused first send never left */
	EXPECT_EQ(-1, recv(self->sfd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(c);
}

/* Nothing answers: the send fails with ETIMEDOUT after the HELLO budget. */
TEST_F_TIMEOUT(dg, unanswered_times_out, 40)
{
	int c = client(), sink = udp_sock(SRV, variant->ipfam, variant->sip);
	struct sockaddr_bertha to;
	long long t0, el;

	/* a plain UDP socket takes the HELLOs and never answers (nothing
	 * at all at the port would answer ICMP: selftests/unreachable)
	 */
	ASSERT_LE(0, c);
	ASSERT_LE(0, sink);
	to = sbe(variant->ipfam, variant->sip, udp_port(sink));
	ASSERT_NE(0, to.sbe_port);
	t0 = now_ms();
	EXPECT_EQ(-1, send_to(c, "x", 1, 0, &to));
	EXPECT_EQ(ETIMEDOUT, errno);
	el = now_ms() - t0;
	/* 6.2 s of HELLO schedule (conn_handshake's unanswered_connect_times_out
	 * says why 12 s is the bound)
	 */
	EXPECT_GE(el, 6000);
	EXPECT_LE(el, 12000);
	EXPECT_EQ(5, (long long)bstats(c).hello_sent);
	EXPECT_EQ(4, (long long)bstats(c).hello_retransmits);
	close(sink);
	close(c);
}

TEST_F(dg, bad_sends)
{
	struct sockaddr_bertha v6 = sbe(AF_INET6, "fd77:0::1", 9);
	struct sockaddr_bertha v4 = sbe(AF_INET, "10.77.0.1", 9);
	static char big[BERTHA_MSG_MAX + 1];
	int c = client();

	ASSERT_LE(0, c);
	EXPECT_EQ(-1, send(c, "x", 1, 0));
	EXPECT_EQ(EDESTADDRREQ, errno);
	EXPECT_EQ(-1, send_to(c, big, sizeof(big), 0, &self->saddr));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ(1, send_to(c, "x", 1, 0, &self->saddr));
	/* bound to one IP family by the first send */
	EXPECT_EQ(-1, send_to(c, "x", 1, 0,
			      variant->ipfam == AF_INET ? &v6 : &v4));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	EXPECT_EQ(-1, listen(c, 1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(c);
}

/* SEQPACKET and DGRAM do not negotiate with each other. */
TEST_F(dg, socket_types_do_not_mix)
{
	int sp = bsock(CLI, SOCK_SEQPACKET);
	int l = make_listener(SRV, variant->ipfam, variant->sip, NULL, 4);
	struct sockaddr_bertha la;
	int c = client();

	ASSERT_LE(0, sp);
	ASSERT_LE(0, l);
	ASSERT_LE(0, c);
	EXPECT_EQ(ECONNREFUSED, bconnect(sp, &self->saddr));
	la = bname(l);
	EXPECT_EQ(-1, send_to(c, "x", 1, 0, &la));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(BERTHA_REJECT_NOT_LISTENING,
		  (long long)bstats(c).last_reject_reason);
	close(c);
	close(l);
	close(sp);
}

/* A peer that closed is forgotten; the next send negotiates with whoever
 * holds the address now.
 */
TEST_F(dg, peer_closed_renegotiates)
{
	struct sockaddr_bertha from;
	char buf[16];
	int c = client();

	ASSERT_LE(0, c);
	ASSERT_EQ(1, send_to(c, "1", 1, 0, &self->saddr));
	ASSERT_EQ(1, recv_from(self->sfd, buf, sizeof(buf), &from));
	EXPECT_EQ(variant->local, peer_path(c, &self->saddr));

	close(self->sfd);
	self->sfd = bsock(SRV, SOCK_DGRAM);
	ASSERT_LE(0, self->sfd);
	ASSERT_EQ(0, set_dag(self->sfd, "identity"));
	ASSERT_EQ(0, bbind(self->sfd, &self->saddr));
	ASSERT_EQ(0, sockopt_ms(self->sfd, SO_RCVTIMEO, CONN_WAIT_MS));
	/* the network path's CLOSE, or the local path's gone peer */
	ASSERT_TRUE(peer_forgotten(c, &self->saddr, CONN_WAIT_MS));

	ASSERT_EQ(1, send_to(c, "2", 1, 0, &self->saddr));
	ASSERT_EQ(1, recv_from(self->sfd, buf, sizeof(buf), &from));
	EXPECT_EQ('2', buf[0]);
	EXPECT_EQ(2, (long long)bstats(c).hello_sent);
	EXPECT_EQ(2, (long long)bstats(c).negotiations_accepted);
	EXPECT_EQ(variant->local, peer_path(c, &self->saddr));
	/* the server's answer reaches the client on the same path */
	ASSERT_EQ(1, send_to(self->sfd, "3", 1, 0, &from));
	ASSERT_EQ(1, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ('3', buf[0]);
	close(c);

	/* the client's close reaches the server: a CLOSE, or a gone peer
	 * found out at the next send
	 */
	EXPECT_TRUE(peer_forgotten(self->sfd, &from, CONN_WAIT_MS));
	EXPECT_EQ(-1, send_to(self->sfd, "4", 1, 0, &from));
	EXPECT_EQ(ECONNREFUSED, errno);
}

/* A peer that does not read: on either path the server's sends never
 * wait for it (a socket that serves many peers sends with itself locked),
 * the peer's SO_RCVBUF bounds what is queued for it, the rest is dropped
 * and counted there, and the server's other peers are served as before.
 */
TEST_F(dg, peer_that_does_not_read)
{
	static char big[60000];
	struct sockaddr_bertha from, slow_addr;
	int slow = client(), other = client(), i, queued;
	struct bertha_stats st;
	long long t0;

	ASSERT_LE(0, slow);
	ASSERT_LE(0, other);
	ASSERT_EQ(1, send_to(slow, "s", 1, 0, &self->saddr));
	ASSERT_EQ(1, recv_from(self->sfd, big, sizeof(big), &slow_addr));
	ASSERT_EQ(1, send_to(other, "o", 1, 0, &self->saddr));
	ASSERT_EQ(1, recv_from(self->sfd, big, sizeof(big), &from));

	t0 = now_ms();
	for (i = 0; i < 64; i++)
		ASSERT_EQ((ssize_t)sizeof(big),
			  send_to(self->sfd, big, sizeof(big), 0, &slow_addr));
	EXPECT_GT(CONN_WAIT_MS, now_ms() - t0);	/* it never waited */
	/* the network path drops at the peer's socket as datagrams come */
	EXPECT_TRUE(stats_wait(slow, rx_dropped, 1, CONN_WAIT_MS));
	usleep(200000);
	st = bstats(slow);
	queued = (int)st.rx_messages;
	EXPECT_LT(0, queued);
	EXPECT_GT(64, queued);
	if (variant->local)	/* nothing is in flight on the local path */
		EXPECT_EQ(64, (long long)(st.rx_messages + st.rx_dropped));

	/* another peer is served as before */
	ASSERT_EQ(2, send_to(self->sfd, "ok", 2, 0, &from));
	ASSERT_EQ(2, recv(other, big, sizeof(big), 0));
	EXPECT_EQ(0, memcmp(big, "ok", 2));

	/* what was queued is read whole, then nothing */
	for (i = 0; i < queued; i++)
		ASSERT_EQ((ssize_t)sizeof(big),
			  recv(slow, big, sizeof(big), MSG_DONTWAIT));
	EXPECT_EQ(-1, recv(slow, big, sizeof(big), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(slow);
	close(other);
}

int main(int argc, char **argv)
{
	int rc = netns_setup(&topo, "dg", 1);

	if (rc)
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, NULL);
	return test_harness_run(argc, argv);
}
