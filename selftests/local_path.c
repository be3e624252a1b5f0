// SPDX-License-Identifier: GPL-2.0
/*
 * The local fast path: connections between sockets of this host skip UDP,
 * IP and the veth, across namespaces and within one; the namespaces'
 * switch keeps them on the network; the shortcut joins only the listener
 * the HELLO reached; messages keep their boundaries under concurrent
 * senders; close, shutdown, a killed peer, a deleted namespace and an
 * rmmod attempt leave nothing broken (the debug lane checks for KASAN and
 * kmemleak reports).
 *
 * Everything is asserted through the binding, the counters and what a
 * packet socket sees on the veth, never through timing.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "libbertha.h"
#include "netns.h"
#include "conn.h"

static struct netns_topo topo;

#define SRV	(topo.server_fd)
#define CLI	(topo.client_fd[0])
#define SIP	"10.77.0.1"

FIXTURE(lp) {
	int l, c, a;
	uint8_t buf[BERTHA_MSG_MAX], rbuf[BERTHA_MSG_MAX];
};

FIXTURE_SETUP(lp)
{
	self->l = self->c = self->a = -1;
	ASSERT_EQ(0, local_path_set_all(&topo, 1));
}

FIXTURE_TEARDOWN(lp)
{
	if (self->a >= 0)
		close(self->a);
	if (self->c >= 0)
		close(self->c);
	if (self->l >= 0)
		close(self->l);
}

/* Connect from NSFD to listener L; the accepted socket in *A. 0 or errno. */
static int pair(int nsfd, int l, int *c, int *a)
{
	struct sockaddr_bertha la = bname(l);
	int err;

	*c = bsock(nsfd, SOCK_SEQPACKET);
	if (*c < 0)
		return errno;
	err = bconnect(*c, &la);
	if (err)
		return err;
	*a = accept_wait(l, CONN_WAIT_MS, 0);
	if (*a < 0)
		return -*a;
	return sockopt_ms(*c, SO_RCVTIMEO, CONN_WAIT_MS) ||
	       sockopt_ms(*a, SO_RCVTIMEO, CONN_WAIT_MS) ? errno : 0;
}

/* UDP packets the capture saw (bertha's transport; neighbour discovery
 * and the like do not count), waiting up to MS for the first.
 */
static int captured(int fd, int ms)
{
	uint8_t pkt[2048];
	int n = 0;
	ssize_t len;

	while (poll_fd(fd, POLLIN, n ? 0 : ms) & POLLIN) {
		len = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT);
		if ((len >= 20 && pkt[0] >> 4 == 4 && pkt[9] == IPPROTO_UDP) ||
		    (len >= 40 && pkt[0] >> 4 == 6 && pkt[6] == IPPROTO_UDP))
			n++;
	}
	return n;
}

/* Ping-pong N messages of growing size both ways; 0 or errno. */
static int exchange(int x, int y, uint8_t *buf, uint8_t *rbuf, int n)
{
	int i, from, to;
	size_t len;
	ssize_t r;

	for (i = 0; i < n; i++) {
		len = 1 + (size_t)i * 997 % BERTHA_MSG_MAX;
		from = i & 1 ? y : x;
		to = i & 1 ? x : y;
		pat_fill(buf, len, i);
		if (send(from, buf, len, 0) != (ssize_t)len)
			return errno ?: EIO;
		r = recv(to, rbuf, BERTHA_MSG_MAX, 0);
		if (r != (ssize_t)len)
			return r < 0 ? errno : EMSGSIZE;
		if (pat_check(rbuf, len, i) >= 0)
			return EBADMSG;
	}
	return 0;
}

/* Across namespaces: both ends on the shortcut, nothing on the veth. */
TEST_F(lp, across_namespaces)
{
	long long srv0 = ns_counter("local-path", topo.server);
	long long cli0 = ns_counter("local-path", topo.client[0]);
	int cap;

	ASSERT_LE(0, srv0);
	ASSERT_LE(0, cli0);
	self->l = make_listener(SRV, AF_INET, SIP, NULL, 4);
	ASSERT_LE(0, self->l);
	ASSERT_EQ(0, pair(CLI, self->l, &self->c, &self->a));
	EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(self->c));
	EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(self->a));
	EXPECT_EQ(srv0 + 1, ns_counter("local-path", topo.server));
	EXPECT_EQ(cli0 + 1, ns_counter("local-path", topo.client[0]));

	cap = dev_capture(SRV, "sv0");
	ASSERT_LE(0, cap);
	EXPECT_EQ(0, exchange(self->c, self->a, self->buf, self->rbuf, 40));
	EXPECT_EQ(0, captured(cap, 500));
	EXPECT_EQ(20, (long long)bstats(self->c).tx_messages);
	EXPECT_EQ(20, (long long)bstats(self->a).rx_messages);
	close(cap);
}

/* Within one namespace, over IPv6 too. */
TEST_F(lp, within_one_namespace)
{
	self->l = make_listener(SRV, AF_INET6, "fd77:0::1", NULL, 4);
	ASSERT_LE(0, self->l);
	ASSERT_EQ(0, pair(SRV, self->l, &self->c, &self->a));
	EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(self->c));
	EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(self->a));
	EXPECT_EQ(0, exchange(self->c, self->a, self->buf, self->rbuf, 10));
}

/* Either namespace's switch keeps the connection on the network. */
TEST_F_TIMEOUT(lp, switch_off_keeps_network, 120)
{
	const char *ns[2] = { topo.server, topo.client[0] };
	int i, cap;

	self->l = make_listener(SRV, AF_INET, SIP, NULL, 4);
	ASSERT_LE(0, self->l);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, local_path_set(ns[i], 0));
		ASSERT_EQ(0, pair(CLI, self->l, &self->c, &self->a));
		ASSERT_EQ(0, local_path_set(ns[i], 1));
		EXPECT_EQ(BERTHA_PATH_NETWORK, conn_path(self->c)) TH_LOG("off in %s", ns[i]);
		EXPECT_EQ(BERTHA_PATH_NETWORK, conn_path(self->a));
		cap = dev_capture(SRV, "sv0");
		ASSERT_LE(0, cap);
		EXPECT_EQ(0, exchange(self->c, self->a, self->buf, self->rbuf, 4));
		EXPECT_LT(0, captured(cap, 2000));
		close(cap);
		close(self->c);
		close(self->a);
		self->c = self->a = -1;
	}
}

/*
 * Chosen per connection: a connection made while the listener's end keeps
 * the network (as a remote listener would) stays there, and a later one
 * once it is local takes the shortcut; both keep working.
 */
TEST_F_TIMEOUT(lp, chosen_per_connection, 120)
{
	int c2, a2;

	self->l = make_listener(SRV, AF_INET, SIP, NULL, 4);
	ASSERT_LE(0, self->l);
	ASSERT_EQ(0, local_path_set(topo.server, 0));
	ASSERT_EQ(0, pair(CLI, self->l, &self->c, &self->a));
	ASSERT_EQ(0, local_path_set(topo.server, 1));
	EXPECT_EQ(BERTHA_PATH_NETWORK, conn_path(self->c));

	ASSERT_EQ(0, pair(CLI, self->l, &c2, &a2));
	EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(c2));
	EXPECT_EQ(0, exchange(c2, a2, self->buf, self->rbuf, 6));
	EXPECT_EQ(0, exchange(self->c, self->a, self->buf, self->rbuf, 6));
	EXPECT_EQ(BERTHA_PATH_NETWORK, conn_path(self->a));
	close(c2);
	close(a2);
}

/* Several threads send on each end at once, each its own numbered stream. */
#define SENDERS		3
#define PER_SENDER	300

struct stream_arg {
	int fd, id, err;
};

static void *stream_send(void *p)
{
	struct stream_arg *s = p;
	uint8_t buf[8192];
	uint32_t seq;
	size_t len;

	for (seq = 0; seq < PER_SENDER && !s->err; seq++) {
		len = 8 + (seq * 131 + s->id * 17) % (sizeof(buf) - 8);
		pat_fill(buf, len, s->id << 16 | seq);
		memcpy(buf, &s->id, 4);
		memcpy(buf + 4, &seq, 4);
		if (send(s->fd, buf, len, 0) != (ssize_t)len)
			s->err = errno ?: EIO;
	}
	return NULL;
}

/* Receive every stream's messages: whole, intact, each stream in order. */
static void *stream_recv(void *p)
{
	struct stream_arg *s = p;
	uint32_t next[SENDERS] = { 0 }, seq;
	uint8_t buf[8192];
	int got = 0, id;
	ssize_t n, j;

	while (got < SENDERS * PER_SENDER && !s->err) {
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n < 8) {
			s->err = n < 0 ? errno : EMSGSIZE;
			break;
		}
		memcpy(&id, buf, 4);
		memcpy(&seq, buf + 4, 4);
		if (id < 0 || id >= SENDERS || seq != next[id] ||
		    (size_t)n != 8 + (seq * 131 + id * 17) % (sizeof(buf) - 8)) {
			s->err = EPROTO;
			break;
		}
		for (j = 8; j < n; j++)
			if (buf[j] != pat(id << 16 | seq, j))
				break;
		if (j < n) {
			s->err = EBADMSG;
			break;
		}
		next[id]++;
		got++;
	}
	return NULL;
}

TEST_F_TIMEOUT(lp, concurrent_senders_keep_boundaries, 240)
{
	struct stream_arg snd[2][SENDERS], rcv[2];
	pthread_t st[2][SENDERS], rt[2];
	int i, d, fds[2];

	self->l = make_listener(SRV, AF_INET, SIP, NULL, 4);
	ASSERT_LE(0, self->l);
	ASSERT_EQ(0, pair(CLI, self->l, &self->c, &self->a));
	ASSERT_EQ(BERTHA_PATH_LOCAL, conn_path(self->c));
	ASSERT_EQ(0, sockopt_ms(self->c, SO_RCVTIMEO, 60000));
	ASSERT_EQ(0, sockopt_ms(self->a, SO_RCVTIMEO, 60000));
	fds[0] = self->c;
	fds[1] = self->a;
	for (d = 0; d < 2; d++) {
		rcv[d] = (struct stream_arg){ .fd = fds[!d] };
		ASSERT_EQ(0, pthread_create(&rt[d], NULL, stream_recv, &rcv[d]));
		for (i = 0; i < SENDERS; i++) {
			snd[d][i] = (struct stream_arg){ .fd = fds[d], .id = i };
			ASSERT_EQ(0, pthread_create(&st[d][i], NULL, stream_send,
						    &snd[d][i]));
		}
	}
	for (d = 0; d < 2; d++) {
		for (i = 0; i < SENDERS; i++) {
			pthread_join(st[d][i], NULL);
			EXPECT_EQ(0, snd[d][i].err) TH_LOG("sender %d/%d: %s", d, i,
							   strerror(snd[d][i].err));
		}
		pthread_join(rt[d], NULL);
		EXPECT_EQ(0, rcv[d].err) TH_LOG("receiver %d: %s", d, strerror(rcv[d].err));
	}
	EXPECT_EQ(SENDERS * PER_SENDER, (long long)bstats(self->a).rx_messages);
	EXPECT_EQ(SENDERS * PER_SENDER, (long long)bstats(self->c).rx_messages);
	EXPECT_EQ(0, (long long)bstats(self->a).rx_dropped);
}

/* Shutdown of the sending side: the peer reads everything, then EOF. */
TEST_F(lp, shutdown_write_after_data)
{
	int i;

	self->l = make_listener(SRV, AF_INET, SIP, NULL, 4);
	ASSERT_LE(0, self->l);
	ASSERT_EQ(0, pair(CLI, self->l, &self->c, &self->a));
	for (i = 0; i < 10; i++) {
		pat_fill(self->buf, 100 + i, i);
		ASSERT_EQ(100 + i, send(self->c, self->buf, 100 + i, 0));
	}
	ASSERT_EQ(0, shutdown(self->c, SHUT_WR));
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(100 + i, recv(self->a, self->rbuf, BERTHA_MSG_MAX, 0));
		EXPECT_EQ(-1, pat_check(self->rbuf, 100 + i, i));
	}
	EXPECT_EQ(0, recv(self->a, self->rbuf, BERTHA_MSG_MAX, 0));
	/* the other direction still works */
	ASSERT_EQ(5, send(self->a, "hello", 5, 0));
	EXPECT_EQ(5, recv(self->c, self->rbuf, BERTHA_MSG_MAX, 0));
	EXPECT_EQ(-1, send(self->c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
}

struct flood_arg {
	int fd, err;
	long sent;
};

static void *flood(void *p)
{
	struct flood_arg *f = p;
	char buf[512] = { 0 };

	for (;;) {
		if (send(f->fd, buf, sizeof(buf), MSG_NOSIGNAL) < 0) {
			f->err = errno;
			return NULL;
		}
		f->sent++;
	}
}

/* One end closes while the other sends flat out, from either side: the
 * sender ends with EPIPE, or ECONNRESET when the closing end left messages
 * unread; whatever was in flight is freed.
 */
TEST_F_TIMEOUT(lp, close_while_peer_sends, 120)
{
	struct flood_arg f;
	pthread_t t;
	int i, c, a;

	self->l = make_listener(SRV, AF_INET, SIP, NULL, 4);
	ASSERT_LE(0, self->l);
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, pair(CLI, self->l, &c, &a));
		ASSERT_EQ(0, sockopt_ms(i & 1 ? a : c, SO_SNDTIMEO, 20000));
		f = (struct flood_arg){ .fd = i & 1 ? a : c };
		ASSERT_EQ(0, pthread_create(&t, NULL, flood, &f));
		usleep(1000 * (i % 5));
		close(i & 1 ? c : a);
		pthread_join(t, NULL);
		EXPECT_TRUE(f.err == EPIPE || f.err == ECONNRESET)
			TH_LOG("round %d after %ld sends: %s", i, f.sent,
			       strerror(f.err));
		close(i & 1 ? a : c);
	}
}

/* A peer process killed with SIGKILL: the survivor sees EOF, then EPIPE. */
TEST_F(lp, peer_killed)
{
	struct sockaddr_bertha la;
	int ready[2], i;
	pid_t pid;
	char x;

	self->l = make_listener(SRV, AF_INET, SIP, NULL, 4);
	ASSERT_LE(0, self->l);
	la = bname(self->l);
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int c = bsock(CLI, SOCK_SEQPACKET);

		if (c < 0 || bconnect(c, &la))
			_exit(1);
		for (i = 0; i < 10; i++)
			send(c, "0123456789", 10, 0);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	self->a = accept_wait(self->l, CONN_WAIT_MS, 0);
	ASSERT_LE(0, self->a);
	ASSERT_EQ(1, read(ready[0], &x, 1));
	close(ready[0]);
	EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(self->a));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_EQ(0, sockopt_ms(self->a, SO_RCVTIMEO, CONN_WAIT_MS));
	for (i = 0; i < 10; i++)
		EXPECT_EQ(10, recv(self->a, self->rbuf, BERTHA_MSG_MAX, 0));
	EXPECT_EQ(0, recv(self->a, self->rbuf, BERTHA_MSG_MAX, 0));
	EXPECT_EQ(-1, send(self->a, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
}

/* The client's namespace is deleted while the connection lives: the
 * connection keeps working until closed, then everything goes.
 */
TEST_F_TIMEOUT(lp, namespace_deleted_while_connected, 120)
{
	char ns[48], cmd[1024];
	int nsfd;

	snprintf(ns, sizeof(ns), "lp-gone-%d", getpid());
	snprintf(cmd, sizeof(cmd),
		 "set -e; ip netns add %s; ip -n %s link set lo up; "
		 "ip -n %s link add gv0 type veth peer name gs0 netns %s; "
		 "ip -n %s addr add 10.99.0.2/24 dev gv0; ip -n %s link set gv0 up; "
		 "ip -n %s addr add 10.99.0.1/24 dev gs0; ip -n %s link set gs0 up",
		 ns, ns, ns, topo.server, ns, ns, topo.server, topo.server);
	ASSERT_EQ(0, netns_sh(cmd));
	nsfd = netns_open(ns);
	ASSERT_LE(0, nsfd);
	self->l = make_listener(SRV, AF_INET, "10.99.0.1", NULL, 4);
	ASSERT_LE(0, self->l);
	ASSERT_EQ(0, pair(nsfd, self->l, &self->c, &self->a));
	EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(self->c));
	close(nsfd);
	snprintf(cmd, sizeof(cmd), "ip netns del %s", ns);
	ASSERT_EQ(0, netns_sh(cmd));
	EXPECT_EQ(0, exchange(self->c, self->a, self->buf, self->rbuf, 6));
	close(self->c);
	self->c = -1;
	EXPECT_EQ(0, recv(self->a, self->rbuf, BERTHA_MSG_MAX, 0));
}

/* rmmod while a connection lives is refused; the connection carries on. */
TEST_F(lp, rmmod_refused_while_connected)
{
	self->l = make_listener(SRV, AF_INET, SIP, NULL, 4);
	ASSERT_LE(0, self->l);
	ASSERT_EQ(0, pair(CLI, self->l, &self->c, &self->a));
	EXPECT_NE(0, netns_sh("rmmod bertha 2>/dev/null"));
	EXPECT_EQ(0, access("/sys/module/bertha", F_OK));
	EXPECT_EQ(0, exchange(self->c, self->a, self->buf, self->rbuf, 4));
}

/*
 * Two namespaces with the same address and port behind different veths of
 * one client namespace: each connection joins the listener its HELLO
 * reached (the route decides), never the other.
 */
TEST_F_TIMEOUT(lp, same_address_two_namespaces, 150)
{
	char x[40], s1[40], s2[40], cmd[2048];
	int xfd, fd1, fd2, l2 = -1, a2, c2, i;
	struct sockaddr_bertha a;
	pid_t me = getpid();

	snprintf(x, sizeof(x), "lp-x-%d", me);
	snprintf(s1, sizeof(s1), "lp-s1-%d", me);
	snprintf(s2, sizeof(s2), "lp-s2-%d", me);
	snprintf(cmd, sizeof(cmd),
		 "set -e; for n in %s %s %s; do ip netns add $n; ip -n $n link set lo up; done; "
		 "ip -n %s link add xa type veth peer name ya netns %s; "
		 "ip -n %s link add xb type veth peer name yb netns %s; "
		 "ip -n %s addr add 10.66.0.1/24 dev ya; ip -n %s link set ya up; "
		 "ip -n %s addr add 10.66.0.1/24 dev yb; ip -n %s link set yb up; "
		 "ip -n %s addr add 10.66.0.2/24 dev xa; ip -n %s link set xa up; "
		 "ip -n %s addr add 10.66.1.2/24 dev xb; ip -n %s link set xb up; "
		 "ip -n %s route add 10.66.1.0/24 dev yb",
		 x, s1, s2, x, s1, x, s2, s1, s1, s2, s2, x, x, x, x, s2);
	ASSERT_EQ(0, netns_sh(cmd));
	xfd = netns_open(x);
	fd1 = netns_open(s1);
	fd2 = netns_open(s2);
	ASSERT_LE(0, xfd);
	ASSERT_LE(0, fd1);
	ASSERT_LE(0, fd2);

	/* the same address and port in both */
	self->l = make_listener(fd1, AF_INET, "10.66.0.1", NULL, 4);
	ASSERT_LE(0, self->l);
	a = bname(self->l);
	l2 = bsock(fd2, SOCK_SEQPACKET);
	ASSERT_LE(0, l2);
	ASSERT_EQ(0, bbind(l2, &a));
	ASSERT_EQ(0, blisten(l2, 4));

	for (i = 0; i < 2; i++) {
		/* first through xa to s1, then through xb to s2 */
		if (i == 1) {
			snprintf(cmd, sizeof(cmd),
				 "ip -n %s route replace 10.66.0.1/32 dev xb", x);
			ASSERT_EQ(0, netns_sh(cmd));
		}
		ASSERT_EQ(0, pair(xfd, i ? l2 : self->l, &c2, &a2));
		EXPECT_EQ(-ETIMEDOUT, accept_wait(i ? self->l : l2, 300, 0));
		EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(c2));
		EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(a2));
		EXPECT_EQ(0, exchange(c2, a2, self->buf, self->rbuf, 4));
		close(c2);
		close(a2);
	}
	close(l2);
	close(xfd);
	close(fd1);
	close(fd2);
	snprintf(cmd, sizeof(cmd), "ip netns del %s; ip netns del %s; ip netns del %s",
		 x, s1, s2);
	EXPECT_EQ(0, netns_sh(cmd));
}

int main(int argc, char **argv)
{
	int rc = netns_setup(&topo, "lp", 2);

	if (rc)
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, NULL);
	return test_harness_run(argc, argv);
}
