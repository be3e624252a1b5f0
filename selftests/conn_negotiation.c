// SPDX-License-Identifier: GPL-2.0
/*
 * conn_negotiation: which implementation negotiation binds to each chunnel,
 * with implementations added by selftests/modules/bertha_test_chunnel.ko
 * (globally, or only in one network namespace with this_netns=1):
 * both-endpoint chunnels bind at both ends or refuse with
 * EPROTONOSUPPORT; one-endpoint chunnels prefer the client's
 * implementation, then priority, then name; select falls back to the first
 * alternative both ends can bind. The paper's "Mixed" case: two clients in
 * different namespaces, one with an extra implementation, get different
 * bindings from the same listener, and its transform (xform=xor) visibly
 * runs only where the binding says. A connection pins the module that
 * implements one of its chunnels.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "kselftest_harness.h"
#include "libbertha.h"
#include "netns.h"
#include "conn.h"
#include "test_chunnel.h"

static struct netns_topo topo;

#define SRV	(topo.server_fd)
#define CLI	(topo.client_fd[0])
#define CLI1	(topo.client_fd[1])




/* What rmmod says when it fails right now; empty when it succeeded. */
static void rmmod_once(char *out, size_t len)
{
	FILE *p = popen("rmmod bertha_test_chunnel 2>&1", "r");
	size_t n = 0;

	out[0] = 0;
	if (!p)
		return;
	n = fread(out, 1, len - 1, p);
	out[n] = 0;
	pclose(p);
}

static long long chunnel_counter(const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), MOD_SYS "/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

FIXTURE(neg) {
	int fds[16];
	int nfds;
	uint8_t buf[4096], rbuf[4096];
};

FIXTURE_VARIANT(neg) {
	int ipfam;
	const char *sip;	/* the listener's address */
	const char *cip[2];	/* client 0's and client 1's */
};

FIXTURE_VARIANT_ADD(neg, ipv4) {
	.ipfam = AF_INET,
	.sip = "10.77.0.1",
	.cip = { "10.77.0.2", "10.77.1.2" },
};

FIXTURE_VARIANT_ADD(neg, ipv6) {
	.ipfam = AF_INET6,
	.sip = "fd77:0::1",
	.cip = { "fd77:0::2", "fd77:1::2" },
};

FIXTURE_SETUP(neg)
{
	self->nfds = 0;
	/* a previous test that failed may have left it loaded */
	ASSERT_EQ(0, chunnel_unload(CONN_WAIT_MS));
	ASSERT_NE(NULL, getenv("BERTHA_TEST_MODULES"));
}

/* Sockets first: they may pin the module the next test loads again. */
FIXTURE_TEARDOWN(neg)
{
	int i;

	for (i = 0; i < self->nfds; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	if (chunnel_unload(CONN_WAIT_MS))
		TH_LOG("bertha_test_chunnel stayed loaded");
}

static int keep(FIXTURE_DATA(neg) *self, int fd)
{
	if (fd >= 0 && self->nfds < 16)
		self->fds[self->nfds++] = fd;
	return fd;
}

static void drop(FIXTURE_DATA(neg) *self, int fd)
{
	int i;

	for (i = 0; i < self->nfds; i++)
		if (self->fds[i] == fd)
			self->fds[i] = -1;
	close(fd);
}

static int listener(FIXTURE_DATA(neg) *self, const FIXTURE_VARIANT(neg) *v,
		    const char *dag)
{
	return keep(self, make_listener(SRV, v->ipfam, v->sip, dag, 8));
}

/*
 * Connect from namespace NSFD with DAG CDAG (NULL: none) to the listener
 * L. 0 with *cfd and *afd set, else the errno of connect (or of accept,
 * negated, if the connection never reached the queue).
 */
static int conn(FIXTURE_DATA(neg) *self, int nsfd, int l, const char *cdag,
		int *cfd, int *afd)
{
	struct sockaddr_bertha a = bname(l);
	int err;

	*cfd = keep(self, bsock(nsfd, SOCK_SEQPACKET));
	*afd = -1;
	if (*cfd < 0)
		return errno;
	if (cdag) {
		err = set_dag(*cfd, cdag);
		if (err)
			return err;
	}
	sockopt_ms(*cfd, SO_RCVTIMEO, CONN_WAIT_MS);
	err = bconnect(*cfd, &a);
	if (err)
		return err;
	*afd = keep(self, accept_wait(l, CONN_WAIT_MS, 0));
	if (*afd < 0)
		return *afd;
	sockopt_ms(*afd, SO_RCVTIMEO, CONN_WAIT_MS);
	return 0;
}

/* LEN bytes of pattern SEED from FROM, read at TO; 0 if they came intact. */
static int exchange(FIXTURE_DATA(neg) *self, int from, int to, size_t len,
		    uint32_t seed)
{
	ssize_t n;

	pat_fill(self->buf, len, seed);
	if (send(from, self->buf, len, 0) != (ssize_t)len)
		return errno;
	memset(self->rbuf, 0, len);
	n = recv(to, self->rbuf, sizeof(self->rbuf), 0);
	if (n != (ssize_t)len)
		return n < 0 ? errno : EMSGSIZE;
	return pat_check(self->rbuf, len, seed) < 0 ? 0 : EBADMSG;
}

/* Refusal for lack of an implementation, counted at both ends. */
static void expect_no_impl(struct __test_metadata *_metadata, int cfd, int l)
{
	struct bertha_stats s = bstats(cfd);

	EXPECT_EQ(1, (long long)s.negotiations_rejected);
	EXPECT_EQ(BERTHA_REJECT_NO_IMPLEMENTATION, (long long)s.last_reject_reason);
	EXPECT_EQ(1, (long long)s.rejected[BERTHA_REJECT_NO_IMPLEMENTATION]);
	s = bstats(l);
	EXPECT_EQ(1, (long long)s.negotiations_rejected);
	EXPECT_EQ(0, (long long)s.negotiations_accepted);
	EXPECT_EQ(BERTHA_REJECT_NO_IMPLEMENTATION, (long long)s.last_reject_reason);
	EXPECT_EQ(1, (long long)s.rejected[BERTHA_REJECT_NO_IMPLEMENTATION]);
	EXPECT_EQ(0, poll_fd(l, POLLIN, 0));
}

TEST_F(neg, both_endpoint_chunnel_binds_at_both)
{
	int l, c, a, i;
	struct binding_buf b;

	ASSERT_EQ(0, chunnel_load(SRV, ""));
	l = listener(self, variant, "test-echo");
	ASSERT_LE(0, l);
	/* the client names the DAG itself, then leaves it to the listener */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, conn(self, CLI, l, i ? NULL : "test-echo", &c, &a));
		ASSERT_EQ(1, get_binding(c, &b));
		EXPECT_TRUE(node_is(&b, 0, "test-echo", "kernel", BERTHA_WHERE_BOTH, 10,
				    BERTHA_SCOPE_HOST, 0));
		ASSERT_EQ(1, get_binding(a, &b));
		EXPECT_TRUE(node_is(&b, 0, "test-echo", "kernel", BERTHA_WHERE_BOTH, 10,
				    BERTHA_SCOPE_HOST, 0));
		EXPECT_EQ(0, exchange(self, c, a, 1000, 1));
		EXPECT_EQ(0, exchange(self, a, c, 1000, 2));
	}
}

/* Find a run of 64 bytes of value V in the packets captured on FD. */
static void capture_scan(int fd, int *found_xor, int *found_plain)
{
	uint8_t pkt[2048], x[64], p[64];
	long long end = now_ms() + 2000;
	ssize_t n;

	memset(x, 'A' ^ 0x5a, sizeof(x));
	memset(p, 'A', sizeof(p));
	*found_xor = *found_plain = 0;
	while (now_ms() < end && !*found_xor) {
		if (!(poll_fd(fd, POLLIN, 200) & POLLIN))
			continue;
		n = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT);
		if (n <= 0)
			continue;
		if (memmem(pkt, n, x, sizeof(x)))
			*found_xor = 1;
		if (memmem(pkt, n, p, sizeof(p)))
			*found_plain = 1;
	}
}

/* xform=xor at both ends: the wire carries XORed bytes, the peer plain. */
TEST_F(neg, transform_runs_at_both_ends)
{
	long long sent0, recv0;
	int l, c, a, cap, fx, fp;
	char msg[64];
	ssize_t n;

	ASSERT_EQ(0, chunnel_load(SRV, "xform=xor"));
	sent0 = chunnel_counter("sent");
	recv0 = chunnel_counter("received");
	ASSERT_LE(0, sent0);
	ASSERT_LE(0, recv0);
	l = listener(self, variant, "test-echo");
	ASSERT_LE(0, l);
	/* on the wire, so the local fast path is off for this one */
	ASSERT_EQ(0, local_path_set_all(&topo, 0));
	ASSERT_EQ(0, conn(self, CLI, l, NULL, &c, &a));
	ASSERT_EQ(0, local_path_set_all(&topo, 1));
	EXPECT_EQ(BERTHA_PATH_NETWORK, conn_path(c));

	/* watch the server's end of the veth pair */
	cap = keep(self, dev_capture(SRV, "sv0"));
	ASSERT_LE(0, cap);

	memset(msg, 'A', sizeof(msg));
	ASSERT_EQ(64, send(c, msg, sizeof(msg), 0));
	n = recv(a, self->rbuf, sizeof(self->rbuf), 0);
	EXPECT_EQ(64, n);
	EXPECT_EQ(0, memcmp(self->rbuf, msg, sizeof(msg)));
	capture_scan(cap, &fx, &fp);
	EXPECT_TRUE(fx);	/* XORed on the wire... */
	EXPECT_FALSE(fp);	/* ...never in the clear */

	ASSERT_EQ(64, send(a, msg, sizeof(msg), 0));
	n = recv(c, self->rbuf, sizeof(self->rbuf), 0);
	EXPECT_EQ(64, n);
	EXPECT_EQ(0, memcmp(self->rbuf, msg, sizeof(msg)));
	/* each end transformed what it sent and what it received */
	EXPECT_EQ(sent0 + 2, chunnel_counter("sent"));
	EXPECT_EQ(recv0 + 2, chunnel_counter("received"));
}

/* On the local fast path the transform still runs at both ends, and
 * nothing crosses the veth.
 */
TEST_F(neg, transform_runs_on_local_path)
{
	long long sent0, recv0;
	int l, c, a, cap, fx, fp;
	char msg[64];

	ASSERT_EQ(0, chunnel_load(SRV, "xform=xor"));
	sent0 = chunnel_counter("sent");
	recv0 = chunnel_counter("received");
	l = listener(self, variant, "test-echo");
	ASSERT_LE(0, l);
	ASSERT_EQ(0, conn(self, CLI, l, NULL, &c, &a));
	EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(c));
	EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(a));

	cap = keep(self, dev_capture(SRV, "sv0"));
	ASSERT_LE(0, cap);

	memset(msg, 'A', sizeof(msg));
	ASSERT_EQ(64, send(c, msg, sizeof(msg), 0));
	EXPECT_EQ(64, recv(a, self->rbuf, sizeof(self->rbuf), 0));
	EXPECT_EQ(0, memcmp(self->rbuf, msg, sizeof(msg)));
	ASSERT_EQ(64, send(a, msg, sizeof(msg), 0));
	EXPECT_EQ(64, recv(c, self->rbuf, sizeof(self->rbuf), 0));
	EXPECT_EQ(0, memcmp(self->rbuf, msg, sizeof(msg)));
	capture_scan(cap, &fx, &fp);
	EXPECT_FALSE(fx);
	EXPECT_FALSE(fp);
	EXPECT_EQ(sent0 + 2, chunnel_counter("sent"));
	EXPECT_EQ(recv0 + 2, chunnel_counter("received"));
}

/* both-endpoint chunnel only at the listener's end: refused. */
TEST_F(neg, both_endpoint_missing_at_client)
{
	int l, c, a;

	ASSERT_EQ(0, chunnel_load(SRV, "this_netns=1"));
	l = listener(self, variant, "test-echo");
	ASSERT_LE(0, l);
	/* the client's namespace does not even know the type */
	c = keep(self, bsock(CLI, SOCK_SEQPACKET));
	ASSERT_LE(0, c);
	EXPECT_EQ(EPROTONOSUPPORT, set_dag(c, "test-echo"));
	EXPECT_EQ(EPROTONOSUPPORT, conn(self, CLI, l, NULL, &c, &a));
	expect_no_impl(_metadata, c, l);
}

TEST_F(neg, both_endpoint_missing_at_listener)
{
	int l, c, a;

	ASSERT_EQ(0, chunnel_load(CLI, "this_netns=1"));
	l = listener(self, variant, NULL);
	ASSERT_LE(0, l);
	EXPECT_EQ(EPROTONOSUPPORT, conn(self, CLI, l, "test-echo", &c, &a));
	expect_no_impl(_metadata, c, l);
}

/* select: the first alternative both ends can bind. */
TEST_F(neg, select_falls_back)
{
	const char *dag = "select(test-echo, identity)";
	struct binding_buf b;
	int l, c, a;

	ASSERT_EQ(0, chunnel_load(SRV, "this_netns=1"));
	l = listener(self, variant, dag);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, conn(self, CLI, l, NULL, &c, &a));
	EXPECT_TRUE(dag_is(c, dag));
	ASSERT_EQ(2, get_binding(c, &b));
	EXPECT_STREQ("select", b.node[0].type);
	EXPECT_EQ(1, (long long)b.node[0].choice);
	EXPECT_TRUE(node_is(&b, 1, "identity", "kernel", BERTHA_WHERE_LOCAL, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
	ASSERT_EQ(2, get_binding(a, &b));
	EXPECT_STREQ("select", b.node[0].type);
	EXPECT_EQ(1, (long long)b.node[0].choice);
	EXPECT_TRUE(node_is(&b, 1, "identity", "kernel", BERTHA_WHERE_PEER, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
	EXPECT_EQ(0, exchange(self, c, a, 500, 3));
}

TEST_F(neg, select_prefers_first)
{
	const char *dag = "select(test-echo, identity)";
	struct binding_buf b;
	int l, c, a;

	ASSERT_EQ(0, chunnel_load(SRV, ""));
	l = listener(self, variant, dag);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, conn(self, CLI, l, dag, &c, &a));
	ASSERT_EQ(2, get_binding(c, &b));
	EXPECT_STREQ("select", b.node[0].type);
	EXPECT_EQ(0, (long long)b.node[0].choice);
	EXPECT_TRUE(node_is(&b, 1, "test-echo", "kernel", BERTHA_WHERE_BOTH, 10,
			    BERTHA_SCOPE_HOST, 0));
	ASSERT_EQ(2, get_binding(a, &b));
	EXPECT_EQ(0, (long long)b.node[0].choice);
	EXPECT_TRUE(node_is(&b, 1, "test-echo", "kernel", BERTHA_WHERE_BOTH, 10,
			    BERTHA_SCOPE_HOST, 0));
}

/* A one-endpoint chunnel only the listener's end has runs there. */
TEST_F(neg, one_endpoint_at_listener_only)
{
	struct binding_buf b;
	int l, c, a;

	ASSERT_EQ(0, chunnel_load(SRV, "endpoints=one this_netns=1"));
	l = listener(self, variant, "test-echo");
	ASSERT_LE(0, l);
	ASSERT_EQ(0, conn(self, CLI, l, NULL, &c, &a));
	ASSERT_EQ(1, get_binding(c, &b));
	EXPECT_TRUE(node_is(&b, 0, "test-echo", "kernel", BERTHA_WHERE_PEER, 10,
			    BERTHA_SCOPE_HOST, 0));
	ASSERT_EQ(1, get_binding(a, &b));
	EXPECT_TRUE(node_is(&b, 0, "test-echo", "kernel", BERTHA_WHERE_LOCAL, 10,
			    BERTHA_SCOPE_HOST, 0));
	EXPECT_EQ(0, exchange(self, c, a, 700, 4));
	EXPECT_EQ(0, exchange(self, a, c, 700, 5));
}

/* The client's own implementation beats a better one at the listener. */
TEST_F(neg, one_endpoint_prefers_client)
{
	struct binding_buf b;
	int l, c, a;

	ASSERT_EQ(0, chunnel_load(SRV, "type=identity name=offload priority=20 "
				       "endpoints=one this_netns=1"));
	l = listener(self, variant, "identity");
	ASSERT_LE(0, l);
	ASSERT_EQ(0, conn(self, CLI, l, NULL, &c, &a));
	ASSERT_EQ(1, get_binding(c, &b));
	EXPECT_TRUE(node_is(&b, 0, "identity", "kernel", BERTHA_WHERE_LOCAL, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
	ASSERT_EQ(1, get_binding(a, &b));
	EXPECT_TRUE(node_is(&b, 0, "identity", "kernel", BERTHA_WHERE_PEER, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
}

/* Among the client's implementations, the higher priority. */
TEST_F(neg, one_endpoint_client_priority)
{
	struct binding_buf b;
	int l, c, a;

	ASSERT_EQ(0, chunnel_load(CLI, "type=identity name=offload priority=20 "
				       "endpoints=one this_netns=1"));
	l = listener(self, variant, "identity");
	ASSERT_LE(0, l);
	ASSERT_EQ(0, conn(self, CLI, l, NULL, &c, &a));
	ASSERT_EQ(1, get_binding(c, &b));
	EXPECT_TRUE(node_is(&b, 0, "identity", "offload", BERTHA_WHERE_LOCAL, 20,
			    BERTHA_SCOPE_HOST, 0));
	ASSERT_EQ(1, get_binding(a, &b));
	EXPECT_TRUE(node_is(&b, 0, "identity", "offload", BERTHA_WHERE_PEER, 20,
			    BERTHA_SCOPE_HOST, 0));
	EXPECT_EQ(0, (long long)bstats(l).fallbacks);	/* the best one won */
	EXPECT_EQ(0, exchange(self, c, a, 300, 6));
}

/*
 * A better implementation one end cannot use: the client has a
 * both-endpoint identity of priority 20 the listener lacks, so identity
 * binds to the built-in, and the listener counts a fallback.
 */
TEST_F(neg, unusable_better_impl_is_a_fallback)
{
	struct binding_buf b;
	int l, c, a;

	ASSERT_EQ(0, chunnel_load(CLI, "type=identity name=offload priority=20 "
				       "endpoints=both this_netns=1"));
	l = listener(self, variant, "identity");
	ASSERT_LE(0, l);
	ASSERT_EQ(0, conn(self, CLI, l, NULL, &c, &a));
	ASSERT_EQ(1, get_binding(c, &b));
	EXPECT_TRUE(node_is(&b, 0, "identity", "kernel", BERTHA_WHERE_LOCAL, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
	EXPECT_EQ(1, (long long)bstats(l).fallbacks);
	EXPECT_EQ(1, (long long)bstats(a).fallbacks);
	TH_LOG("client's fallbacks: %llu", (unsigned long long)bstats(c).fallbacks);
	EXPECT_EQ(0, exchange(self, c, a, 200, 15));
}

/* Equal priorities: name order decides, the same way every time. */
TEST_F(neg, one_endpoint_name_order)
{
	struct binding_buf b;
	int l, c, a, i;

	ASSERT_EQ(0, chunnel_load(SRV, "type=identity name=aaa priority=0 endpoints=one"));
	l = listener(self, variant, "identity");
	ASSERT_LE(0, l);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, conn(self, CLI, l, NULL, &c, &a));
		ASSERT_EQ(1, get_binding(c, &b));
		EXPECT_TRUE(node_is(&b, 0, "identity", "aaa", BERTHA_WHERE_LOCAL, 0,
				    BERTHA_SCOPE_HOST, 0));
		ASSERT_EQ(1, get_binding(a, &b));
		EXPECT_TRUE(node_is(&b, 0, "identity", "aaa", BERTHA_WHERE_PEER, 0,
				    BERTHA_SCOPE_HOST, 0));
	}
}

/*
 * The paper's Mixed case: client 1's namespace has an extra identity
 * implementation that XORs what it sends, client 0's has only the
 * built-in. One listener, two connections, two bindings; the XOR shows
 * the extra implementation runs at client 1 and nowhere else.
 */
TEST_F(neg, mixed_clients_get_different_bindings)
{
	struct sockaddr_bertha n0, n1, p;
	struct binding_buf b;
	int l, c0, c1, a0, a1, t, i;
	char err[256];
	ssize_t n;

	ASSERT_EQ(0, chunnel_load(CLI1, "type=identity name=xoffload priority=20 "
					"endpoints=one xform=xor this_netns=1"));
	l = listener(self, variant, "identity");
	ASSERT_LE(0, l);
	ASSERT_EQ(0, conn(self, CLI, l, NULL, &c0, &a0));
	ASSERT_EQ(0, conn(self, CLI1, l, NULL, &c1, &a1));
	/*
	 * accept order need not be connect order: match by peer address,
	 * each client's own address with the port it was given
	 */
	n0 = sbe(variant->ipfam, variant->cip[0], ntohs(bname(c0).sbe_port));
	n1 = sbe(variant->ipfam, variant->cip[1], ntohs(bname(c1).sbe_port));
	p = bpeer(a0);
	if (!sbe_equal(&p, &n0)) {
		t = a0;
		a0 = a1;
		a1 = t;
	}
	p = bpeer(a0);
	EXPECT_TRUE(sbe_equal(&p, &n0));
	p = bpeer(a1);
	EXPECT_TRUE(sbe_equal(&p, &n1));

	ASSERT_EQ(1, get_binding(c0, &b));
	EXPECT_TRUE(node_is(&b, 0, "identity", "kernel", BERTHA_WHERE_LOCAL, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
	ASSERT_EQ(1, get_binding(a0, &b));
	EXPECT_TRUE(node_is(&b, 0, "identity", "kernel", BERTHA_WHERE_PEER, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
	ASSERT_EQ(1, get_binding(c1, &b));
	EXPECT_TRUE(node_is(&b, 0, "identity", "xoffload", BERTHA_WHERE_LOCAL, 20,
			    BERTHA_SCOPE_HOST, 0));
	ASSERT_EQ(1, get_binding(a1, &b));
	EXPECT_TRUE(node_is(&b, 0, "identity", "xoffload", BERTHA_WHERE_PEER, 20,
			    BERTHA_SCOPE_HOST, 0));

	/* client 0: no transform anywhere, data as sent */
	EXPECT_EQ(0, exchange(self, c0, a0, 256, 9));
	EXPECT_EQ(0, exchange(self, a0, c0, 256, 10));
	/* client 1 XORs what it sends; the listener's end does not undo it */
	pat_fill(self->buf, 256, 11);
	ASSERT_EQ(256, send(c1, self->buf, 256, 0));
	n = recv(a1, self->rbuf, sizeof(self->rbuf), 0);
	ASSERT_EQ(256, n);
	for (i = 0; i < 256; i++)
		if (self->rbuf[i] != (pat(11, i) ^ 0x5a))
			break;
	EXPECT_EQ(256, i) TH_LOG("byte %d not XORed", i);
	/* and applies its receive transform to what the listener sends */
	pat_fill(self->buf, 256, 12);
	ASSERT_EQ(256, send(a1, self->buf, 256, 0));
	n = recv(c1, self->rbuf, sizeof(self->rbuf), 0);
	ASSERT_EQ(256, n);
	for (i = 0; i < 256; i++)
		if (self->rbuf[i] != (pat(12, i) ^ 0x5a))
			break;
	EXPECT_EQ(256, i) TH_LOG("byte %d not XORed", i);
	/* one send and one receive op ran, both at client 1 */
	EXPECT_EQ(1, chunnel_counter("sent"));
	EXPECT_EQ(1, chunnel_counter("received"));
	EXPECT_EQ(1, chunnel_counter("live"));

	/* client 1's connection pins the module; client 0's does not matter */
	rmmod_once(err, sizeof(err));
	EXPECT_TRUE(chunnel_loaded()) TH_LOG("rmmod: %s", err);
	EXPECT_NE(NULL, strstr(err, "in use")) TH_LOG("rmmod: %s", err);
	drop(self, c1);
	drop(self, a1);
	EXPECT_EQ(0, chunnel_unload(CONN_WAIT_MS));
	/* client 0 carries on */
	EXPECT_EQ(0, exchange(self, c0, a0, 100, 13));
}

/* A connection pins the implementing module until it is closed. */
TEST_F(neg, connection_pins_module)
{
	char err[256];
	int l, c, a;

	ASSERT_EQ(0, chunnel_load(SRV, ""));
	l = listener(self, variant, "test-echo");
	ASSERT_LE(0, l);
	ASSERT_EQ(0, conn(self, CLI, l, NULL, &c, &a));
	/* a both-endpoint chunnel: an instance at each end */
	EXPECT_EQ(2, chunnel_counter("live"));
	rmmod_once(err, sizeof(err));
	EXPECT_TRUE(chunnel_loaded()) TH_LOG("rmmod: %s", err);
	EXPECT_NE(NULL, strstr(err, "in use")) TH_LOG("rmmod: %s", err);
	/* still works while pinned */
	EXPECT_EQ(0, exchange(self, c, a, 100, 14));
	drop(self, c);
	drop(self, a);
	EXPECT_EQ(0, chunnel_counter("live"));	/* both torn down */
	drop(self, l);
	EXPECT_EQ(0, chunnel_unload(CONN_WAIT_MS));
	EXPECT_FALSE(chunnel_loaded());
}

int main(int argc, char **argv)
{
	int rc = netns_setup(&topo, "ng", 2);

	if (rc)
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, chunnel_unload_at_exit);
	return test_harness_run(argc, argv);
}
