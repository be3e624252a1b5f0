// SPDX-License-Identifier: GPL-2.0
/*
 * shard: the shard chunnel on SOCK_DGRAM sockets. A canonical socket S0
 * with DAG shard(ports=P1..P4, key=0:4) and four shard sockets S1..S4 in
 * the server namespace; two clients in their own namespaces send requests
 * with random keys to S0. For each implementation (shard/server, chosen
 * with policy prefer-server; shard/client-push, with prefer-client) every
 * request must reach the shard socket <bertha/shard.h> computes, show the
 * client as its source, and the shard's answer must reach the client from
 * that shard's port. The counters, and a packet socket on the server's
 * veth, tell the two implementations apart; bad arguments are refused; a
 * missing shard socket drops and counts; a shard socket reopened works.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "kselftest_harness.h"
#include "libbertha.h"
#include "netns.h"
#include "conn.h"
#include "../kmod/include/bertha/shard.h"

#define NSHARDS		4
#define P0		7100
#define DAG		"shard(ports=7101,7102,7103,7104, key=0:4)"
#define KEYS		24

static struct netns_topo topo;
static unsigned int seed;

#define SRV	(topo.server_fd)

static int policy_set(const char *ns, const char *policy)
{
	const char *bin = getenv("BERTHA_BIN");
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s/berthactl policy set %s",
		 ns, bin ? bin : ".", policy);
	return netns_sh(cmd);
}

/* Whether counter NAME of namespace NS (berthactl stats) is at least MIN. */
static int ns_stat_ge(const char *ns, const char *name, unsigned long long min)
{
	const char *bin = getenv("BERTHA_BIN");
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "ip netns exec %s %s/berthactl stats | awk '$1 == \"%s\" && $2 >= %llu { ok = 1 } END { exit !ok }'",
		 ns, bin ? bin : ".", name, min);
	return netns_sh(cmd) == 0;
}

static ssize_t send_to(int fd, const void *buf, size_t len,
		       const struct sockaddr_bertha *to)
{
	return sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to));
}

static ssize_t recv_from(int fd, void *buf, size_t len, int flags,
			 struct sockaddr_bertha *from)
{
	socklen_t alen = sizeof(*from);

	memset(from, 0, sizeof(*from));
	return recvfrom(fd, buf, len, flags, (struct sockaddr *)from, &alen);
}

/* The shard of a 4-byte key, as the shared header computes it. */
static unsigned int shard_of(const uint8_t *key)
{
	return bertha_shard_index(bertha_shard_hash(key, 4), NSHARDS);
}

/* A shard socket at IP:PORT, bounded waits; fd or -1. */
static int shard_sock(int ipfam, const char *ip, uint16_t port)
{
	struct sockaddr_bertha a = sbe(ipfam, ip, port);
	int fd = bsock(SRV, SOCK_DGRAM);

	if (fd < 0 || bbind(fd, &a) || sockopt_ms(fd, SO_RCVTIMEO, CONN_WAIT_MS)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* A client socket in client namespace I, bounded waits; fd or -1. */
static int client(int i)
{
	int fd = bsock(topo.client_fd[i], SOCK_DGRAM);

	if (fd >= 0 && (sockopt_ms(fd, SO_RCVTIMEO, CONN_WAIT_MS) ||
			sockopt_ms(fd, SO_SNDTIMEO, 3 * CONN_WAIT_MS))) {
		close(fd);
		return -1;
	}
	return fd;
}

FIXTURE(sh) {
	int s0;
	int s[NSHARDS];
	struct sockaddr_bertha canon;
};

FIXTURE_VARIANT(sh) {
	int ipfam;
	const char *sip;
	const char *policy;
	const char *impl;
	unsigned int where;	/* at the client */
	unsigned int prio;
	int push;
};

#define SERVER_VARIANT						\
	.policy = "prefer-server",				\
	.impl = "server",					\
	.where = BERTHA_WHERE_PEER,				\
	.prio = 10,						\
	.push = 0

#define PUSH_VARIANT						\
	.policy = "prefer-client",				\
	.impl = "client-push",					\
	.where = BERTHA_WHERE_LOCAL,				\
	.prio = 20,						\
	.push = 1

FIXTURE_VARIANT_ADD(sh, server_ipv4) {
	.ipfam = AF_INET, .sip = "10.77.0.1", SERVER_VARIANT,
};

FIXTURE_VARIANT_ADD(sh, client_push_ipv4) {
	.ipfam = AF_INET, .sip = "10.77.0.1", PUSH_VARIANT,
};

FIXTURE_VARIANT_ADD(sh, server_ipv6) {
	.ipfam = AF_INET6, .sip = "fd77:0::1", SERVER_VARIANT,
};

FIXTURE_VARIANT_ADD(sh, client_push_ipv6) {
	.ipfam = AF_INET6, .sip = "fd77:0::1", PUSH_VARIANT,
};

/* S1 and S2 bind before S0, S3 and S4 after: the order must not matter. */
FIXTURE_SETUP(sh)
{
	struct sockaddr_bertha a = sbe(variant->ipfam, variant->sip, P0);
	int i;

	ASSERT_EQ(0, policy_set(topo.server, variant->policy));
	for (i = 0; i < 2; i++) {
		self->s[i] = shard_sock(variant->ipfam, variant->sip, P0 + 1 + i);
		ASSERT_LE(0, self->s[i]);
	}
	self->s0 = bsock(SRV, SOCK_DGRAM);
	ASSERT_LE(0, self->s0);
	ASSERT_EQ(0, set_dag(self->s0, DAG));
	ASSERT_EQ(0, bbind(self->s0, &a));
	self->canon = bname(self->s0);
	for (; i < NSHARDS; i++) {
		self->s[i] = shard_sock(variant->ipfam, variant->sip, P0 + 1 + i);
		ASSERT_LE(0, self->s[i]);
	}
}

FIXTURE_TEARDOWN(sh)
{
	int i;

	close(self->s0);
	for (i = 0; i < NSHARDS; i++)
		if (self->s[i] >= 0)
			close(self->s[i]);
	policy_set(topo.server, "prefer-client");
}

/*
 * One request with KEY from client C (in namespace CI) and its answer:
 * the request must reach its shard with C as the source, the answer come
 * back from that shard's port. 0 or a line number to report.
 */
static int round_trip(struct __test_metadata *_metadata, FIXTURE_DATA(sh) *self,
		      const FIXTURE_VARIANT(sh) *variant, int c, int ci,
		      const uint8_t *key)
{
	struct sockaddr_bertha from, me, want;
	unsigned int k = shard_of(key);
	uint8_t req[12], buf[64];
	char cip[40];

	memcpy(req, key, 4);
	memcpy(req + 4, "request!", 8);
	EXPECT_EQ(12, send_to(c, req, sizeof(req), &self->canon)) return __LINE__;
	EXPECT_EQ(12, recv_from(self->s[k], buf, sizeof(buf), 0, &from))
		return __LINE__;
	EXPECT_EQ(0, memcmp(buf, req, 12)) return __LINE__;
	me = bname(c);
	if (variant->ipfam == AF_INET)
		netns_ip4(cip, sizeof(cip), ci, 2);
	else
		netns_ip6(cip, sizeof(cip), ci, 2);
	want = sbe(variant->ipfam, cip, ntohs(me.sbe_port));
	EXPECT_TRUE(sbe_equal(&want, &from)) return __LINE__;

	buf[0] = 'A' + k;
	memcpy(buf + 1, key, 4);
	EXPECT_EQ(5, send_to(self->s[k], buf, 5, &from)) return __LINE__;
	EXPECT_EQ(5, recv_from(c, buf, sizeof(buf), 0, &from)) return __LINE__;
	EXPECT_EQ('A' + k, buf[0]) return __LINE__;
	EXPECT_EQ(0, memcmp(buf + 1, key, 4)) return __LINE__;
	want = sbe(variant->ipfam, variant->sip, P0 + 1 + k);
	EXPECT_TRUE(sbe_equal(&want, &from)) return __LINE__;
	return 0;
}

/* Nothing else is waiting on any shard socket, nor on S0. */
static int all_drained(FIXTURE_DATA(sh) *self)
{
	struct sockaddr_bertha from;
	char buf[64];
	int i;

	for (i = 0; i < NSHARDS; i++)
		if (recv_from(self->s[i], buf, sizeof(buf), MSG_DONTWAIT, &from) >= 0)
			return 0;
	return recv_from(self->s0, buf, sizeof(buf), MSG_DONTWAIT, &from) < 0;
}

static void random_key(uint8_t *key)
{
	int i;

	for (i = 0; i < 4; i++)
		key[i] = rand();
}

/* Two clients, random keys: each lands on its shard and is answered. */
TEST_F(sh, many_keys_two_clients)
{
	struct bertha_stats cs[2], ss, si;
	uint64_t shard_rx = 0, hits[NSHARDS] = { 0 };
	struct binding_buf b;
	uint8_t key[4];
	int c[2], i, n, line;
	socklen_t len;

	for (i = 0; i < 2; i++) {
		c[i] = client(i);
		ASSERT_LE(0, c[i]);
	}
	for (n = 0; n < KEYS; n++) {
		for (i = 0; i < 2; i++) {
			random_key(key);
			hits[shard_of(key)]++;
			line = round_trip(_metadata, self, variant, c[i], i, key);
			ASSERT_EQ(0, line) {
				TH_LOG("client %d key %02x%02x%02x%02x (seed %u)", i,
				       key[0], key[1], key[2], key[3], seed);
			}
		}
	}
	EXPECT_TRUE(all_drained(self));

	/* The client's binding of S0: shard, bound where the policy says. */
	for (i = 0; i < 2; i++) {
		memset(&b, 0, sizeof(b));
		memcpy(&b, &self->canon, sizeof(self->canon));
		len = sizeof(b);
		ASSERT_EQ(0, getsockopt(c[i], SOL_BERTHA, BERTHA_BINDING, &b, &len));
		ASSERT_EQ(1, (int)b.b.count);
		EXPECT_TRUE(node_is(&b, 0, "shard", variant->impl, variant->where,
				    variant->prio, BERTHA_SCOPE_HOST, 0))
			binding_log("client", &b);
	}

	for (i = 0; i < 2; i++)
		cs[i] = bstats(c[i]);
	ss = bstats(self->s0);
	for (i = 0; i < NSHARDS; i++) {
		si = bstats(self->s[i]);
		EXPECT_EQ((long long)(hits[i]), (long long)si.rx_messages);
		EXPECT_EQ((long long)(hits[i]), (long long)si.tx_messages);
		shard_rx += si.rx_messages;
	}
	EXPECT_EQ(2 * KEYS, (long long)shard_rx);
	EXPECT_EQ((long long)(0), (long long)ss.rx_messages);
	EXPECT_EQ((long long)(0), (long long)ss.shard_dropped);
	EXPECT_EQ((long long)(2), (long long)ss.negotiations_accepted);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ((long long)(KEYS), (long long)cs[i].tx_messages);
		EXPECT_EQ((long long)(KEYS), (long long)cs[i].rx_messages);
		EXPECT_EQ((long long)(variant->push ? KEYS : 0), (long long)cs[i].shard_pushed);
		EXPECT_EQ((long long)(0), (long long)cs[i].rx_unexpected);
	}
	EXPECT_EQ((long long)(variant->push ? 0 : 2 * KEYS), (long long)ss.shard_forwarded);
	/* the namespaces count too (cumulative over the tests) */
	if (variant->push) {
		EXPECT_TRUE(ns_stat_ge(topo.client[0], "shard-pushed", KEYS));
		EXPECT_TRUE(ns_stat_ge(topo.client[1], "shard-pushed", KEYS));
	} else {
		EXPECT_TRUE(ns_stat_ge(topo.server, "shard-forwarded", 2 * KEYS));
	}
	for (i = 0; i < 2; i++)
		close(c[i]);
}

/* The packets on the server's veth: client push sends DATA to Pi, the
 * listener's fallback receives it on P0.
 */
TEST_F(sh, wire_destination)
{
	uint8_t key[4] = { 1, 2, 3, 4 }, pkt[256];
	unsigned int k = shard_of(key);
	int cap, c, data = 0, to_p0 = 0, to_pk = 0;
	uint8_t sip[16];
	ssize_t n;

	cap = dev_capture(SRV, "sv0");
	ASSERT_LE(0, cap);
	c = client(0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, round_trip(_metadata, self, variant, c, 0, key));
	ASSERT_EQ(0, round_trip(_metadata, self, variant, c, 0, key));

	inet_pton(variant->ipfam, variant->sip, sip);
	while (poll_fd(cap, POLLIN, 200) & POLLIN) {
		struct udphdr *udp;
		uint8_t *hdr;
		size_t l3;

		n = recv(cap, pkt, sizeof(pkt), MSG_DONTWAIT);
		if (n < 40)
			continue;
		/* IPv4 (options allowed) or IPv6 (no extension headers) */
		if (variant->ipfam == AF_INET) {
			l3 = (pkt[0] & 0xf) * 4;
			if (pkt[0] >> 4 != 4 || pkt[9] != IPPROTO_UDP ||
			    memcmp(pkt + 16, sip, 4))
				continue;
		} else {
			l3 = 40;
			if (pkt[0] >> 4 != 6 || pkt[6] != IPPROTO_UDP ||
			    memcmp(pkt + 24, sip, 16))
				continue;
		}
		if ((size_t)n < l3 + sizeof(*udp) + 8)
			continue;
		udp = (struct udphdr *)(pkt + l3);
		hdr = (uint8_t *)(udp + 1);
		/* requests: DATA (type 4) towards the server address */
		if (hdr[1] != 4)
			continue;
		data++;
		to_p0 += ntohs(udp->dest) == P0;
		to_pk += ntohs(udp->dest) == P0 + 1 + k;
	}
	EXPECT_EQ(2, data);
	EXPECT_EQ(variant->push ? 0 : 2, to_p0);
	EXPECT_EQ(variant->push ? 2 : 0, to_pk);
	close(c);
	close(cap);
}

/* A shard socket closed: fallback drops and counts; reopened, it works. */
TEST_F(sh, shard_closed_and_reopened)
{
	struct sockaddr_bertha from;
	uint8_t key[4] = { 9, 9, 9, 9 }, req[8], buf[16];
	unsigned int k = shard_of(key);
	struct bertha_stats ss;
	int c;

	c = client(0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, round_trip(_metadata, self, variant, c, 0, key));
	close(self->s[k]);
	self->s[k] = -1;

	memcpy(req, key, 4);
	memcpy(req + 4, "lost", 4);
	ASSERT_EQ(8, send_to(c, req, sizeof(req), &self->canon));
	if (!variant->push) {
		ASSERT_TRUE(stats_wait(self->s0, shard_dropped, 1, CONN_WAIT_MS));
		ss = bstats(self->s0);
		EXPECT_EQ((long long)(1), (long long)ss.shard_dropped);
		EXPECT_EQ((long long)(1), (long long)ss.shard_forwarded);
	}
	/* no other shard took it */
	EXPECT_TRUE(all_drained(self));
	usleep(100 * 1000);

	self->s[k] = shard_sock(variant->ipfam, variant->sip, P0 + 1 + k);
	ASSERT_LE(0, self->s[k]);
	ASSERT_EQ(0, round_trip(_metadata, self, variant, c, 0, key));
	EXPECT_EQ(-1, recv_from(self->s[k], buf, sizeof(buf), MSG_DONTWAIT, &from));
	close(c);
}

/* DATA on a shard port that names no peer of the group is dropped and
 * counted by the canonical socket.
 */
TEST_F(sh, stranger_on_shard_port)
{
	uint8_t dgram[12] = { 1, 4, 0, 0, 0x7f, 0xff, 0xff, 0xf0, 1, 2, 3, 4 };
	struct sockaddr_bertha from;
	char buf[16];
	int u;

	u = udp_sock(topo.client_fd[0], variant->ipfam,
		     variant->ipfam == AF_INET ? "10.77.0.2" : "fd77:0::2");
	ASSERT_LE(0, u);
	ASSERT_EQ(0, udp_send_to(u, variant->ipfam, variant->sip, P0 + 1, dgram,
				 sizeof(dgram)));
	ASSERT_TRUE(stats_wait(self->s0, shard_dropped, 1, CONN_WAIT_MS));
	EXPECT_EQ(-1, recv_from(self->s[0], buf, sizeof(buf), MSG_DONTWAIT, &from));
	close(u);
}

/* A DAG set after bind makes the group; another DAG undoes it. */
TEST(dag_set_after_bind)
{
	struct sockaddr_bertha a = sbe(AF_INET, "10.77.0.1", 7200), from, want;
	uint8_t buf[16];
	int s0, s1, c;

	s0 = bsock(SRV, SOCK_DGRAM);
	ASSERT_LE(0, s0);
	ASSERT_EQ(0, bbind(s0, &a));
	ASSERT_EQ(0, sockopt_ms(s0, SO_RCVTIMEO, CONN_WAIT_MS));
	s1 = shard_sock(AF_INET, "10.77.0.1", 7201);
	ASSERT_LE(0, s1);
	ASSERT_EQ(0, set_dag(s0, "shard(ports=7201)"));

	c = client(0);
	ASSERT_LE(0, c);
	ASSERT_EQ(4, send_to(c, "abcd", 4, &a));
	ASSERT_EQ(4, recv_from(s1, buf, sizeof(buf), 0, &from));
	ASSERT_EQ(2, send_to(s1, "ok", 2, &from));
	ASSERT_EQ(2, recv_from(c, buf, sizeof(buf), 0, &from));
	want = sbe(AF_INET, "10.77.0.1", 7201);
	EXPECT_TRUE(sbe_equal(&want, &from));
	close(c);

	/* without the shard node, S0 is an ordinary socket again */
	ASSERT_EQ(0, set_dag(s0, "identity"));
	c = client(0);
	ASSERT_LE(0, c);
	ASSERT_EQ(4, send_to(c, "efgh", 4, &a));
	ASSERT_EQ(4, recv_from(s0, buf, sizeof(buf), 0, &from));
	EXPECT_EQ(0, memcmp(buf, "efgh", 4));
	EXPECT_EQ(-1, recv_from(s1, buf, sizeof(buf), MSG_DONTWAIT, &from));
	close(c);
	close(s1);
	close(s0);
}

/* Arguments the kernel refuses, and ones it takes. */
TEST(bad_args)
{
	static const char *const bad[] = {
		"shard",
		"shard(key=0:4)",
		"shard(ports=0)",
		"shard(ports=65536)",
		"shard(ports=7001,7001)",
		"shard(ports=x)",
		"shard(ports=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17)",
		"shard(ports=7001, key=0:0)",
		"shard(ports=7001, key=0:17)",
		"shard(ports=7001, key=64997:4)",
		"shard(ports=7001, key=4)",
		"shard(ports=7001, fn=crc32)",
		"shard(ports=7001, colour=red)",
		"shard(ports=7001, ports=7002)",
	};
	static const char *const good[] = {
		"shard(ports=7001)",
		"shard(ports=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16)",
		"shard(ports=7001,7002, key=64996:4, fn=fnv1a)",
		"shard(ports=65535, key=10:16) |> identity",
	};
	unsigned int i;
	int err, fd = bsock(SRV, SOCK_DGRAM);

	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = set_dag(fd, bad[i]);
		if (err != EINVAL)
			fprintf(stderr, "#   %s: %s\n", bad[i], strerror(err));
		EXPECT_EQ(EINVAL, err);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err = set_dag(fd, good[i]);
		if (err)
			fprintf(stderr, "#   %s: %s\n", good[i], strerror(err));
		EXPECT_EQ(0, err);
	}
	close(fd);
}

/* The hash is FNV-1a: known vectors. */
TEST(hash_vectors)
{
	EXPECT_EQ(0x811c9dc5u, bertha_shard_hash((const uint8_t *)"", 0));
	EXPECT_EQ(0xe40c292cu, bertha_shard_hash((const uint8_t *)"a", 1));
	EXPECT_EQ(0xbf9cf968u, bertha_shard_hash((const uint8_t *)"foobar", 6));
}

int main(int argc, char **argv)
{
	int rc = netns_setup(&topo, "sh", 2);

	if (rc)
		return rc == 4 ? KSFT_SKIP : KSFT_FAIL;
	seed = getenv("SHARD_SEED") ? strtoul(getenv("SHARD_SEED"), NULL, 0) :
				      (unsigned int)time(NULL);
	printf("# random keys: SHARD_SEED=%u\n", seed);
	srand(seed);
	netns_cleanup_on_signal(&topo);
	rc = test_harness_run(argc, argv);
	netns_teardown(&topo);
	return rc;
}
