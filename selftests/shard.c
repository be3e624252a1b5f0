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
 *
 * The third implementation, shard/xdp, is the XDP program that `berthactl
 * offload add shard xdp` loads on the server's veths and fills from the
 * kernel's setup requests (prefer-server picks it, prio 30): the same
 * requests must land on the same shards without S0 forwarding any, its
 * listener table must hold S0 while S0 has peers and be empty after, and
 * when the helper dies new clients fall back to shard/server while the
 * established ones keep working.
 *
 * With shard(...) |> reliable, under netem loss, duplication and
 * reordering, every request reaches its shard exactly once and in send
 * order, every reply reaches the client exactly once, and the reliable
 * counters of the client and of S0 (whose peer holds the connection's
 * one sequence space) show the recovery, under each implementation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "kselftest_harness.h"

/* Each case builds namespaces and may load the XDP program: on the debug
 * lane, with another guest on the other core, the harness's 30 s is short.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 180

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

/* A number a shell command prints (bpftool through python3), or -1. */
static long long sh_number(const char *cmd)
{
	long long v = -1;
	FILE *f = popen(cmd, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	pclose(f);
	return v;
}

/* The XDP program's maps, read with bpftool: entries of its listener
 * table, and its "steered" counter summed over the CPUs (0 without the
 * program: its maps went with it).
 */
#define BPFTOOL_JSON(map) "bpftool -j map dump name " map " 2>/dev/null | python3 -c '" \
	"import json, sys\n"							\
	"def num(k): return k if isinstance(k, int) else int.from_bytes(bytes(int(b, 16) for b in k), \"little\")\n" \
	"d = sys.stdin.read()\n"						\
	"m = [e.get(\"formatted\", e) for e in json.loads(d)] if d.strip() else []\n"
static long long xdp_listeners(void)
{
	return sh_number(BPFTOOL_JSON("listeners") "print(len(m))'");
}

static long long xdp_steered(void)
{
	return sh_number(BPFTOOL_JSON("counters")
			 "print(sum(num(v[\"value\"]) for e in m if num(e[\"key\"]) == 0 for v in e[\"values\"]))'");
}

/* `berthactl offload add shard xdp` on both server veths, in the server
 * namespace; its pid, its output on *OUT. Waits until it registered.
 */
static pid_t xdp_helper_start(int *out)
{
	const char *bin = getenv("BERTHA_BIN");
	char cmd[512], buf[4096];
	struct pollfd pfd;
	size_t have = 0;
	int p[2];
	pid_t pid;

	snprintf(cmd, sizeof(cmd),
		 "exec ip netns exec %s %s/berthactl offload add shard xdp dev sv0 dev sv1",
		 topo.server, bin ? bin : ".");
	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	pfd.fd = p[0];
	pfd.events = POLLIN;
	/* loading runs the verifier: slow under emulation */
	while (pid > 0 && have < sizeof(buf) - 1 && poll(&pfd, 1, 60000) == 1) {
		ssize_t n = read(p[0], buf + have, sizeof(buf) - 1 - have);

		if (n <= 0)
			break;
		have += n;
		buf[have] = '\0';
		if (strstr(buf, "registered 1 implementation"))
			return pid;
	}
	buf[have] = '\0';
	printf("# the XDP helper did not start: %s\n", buf);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(p[0]);
	return -1;
}

/* Stop it (SIGTERM, or SIG); its output goes to the log. */
static void xdp_helper_stop(pid_t pid, int out, int sig)
{
	char buf[4096];
	ssize_t n;

	kill(pid, sig);
	while ((n = read(out, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		printf("# helper: %s", buf);
	}
	waitpid(pid, NULL, 0);
	close(out);
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
	pid_t helper;
	int helper_out;
};

FIXTURE_VARIANT(sh) {
	int ipfam;
	const char *sip;
	const char *policy;
	const char *impl;
	unsigned int where;	/* at the client */
	unsigned int prio;
	int push;
	int xdp;	/* the helper runs and its program steers */
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

#define XDP_VARIANT						\
	.policy = "prefer-server",				\
	.impl = "xdp",						\
	.where = BERTHA_WHERE_PEER,				\
	.prio = 30,						\
	.xdp = 1

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

FIXTURE_VARIANT_ADD(sh, xdp_ipv4) {
	.ipfam = AF_INET, .sip = "10.77.0.1", XDP_VARIANT,
};

FIXTURE_VARIANT_ADD(sh, xdp_ipv6) {
	.ipfam = AF_INET6, .sip = "fd77:0::1", XDP_VARIANT,
};

/* S1 and S2 bind before S0, S3 and S4 after: the order must not matter. */
FIXTURE_SETUP(sh)
{
	struct sockaddr_bertha a = sbe(variant->ipfam, variant->sip, P0);
	int i;

	self->helper = -1;
	ASSERT_EQ(0, policy_set(topo.server, variant->policy));
	if (variant->xdp) {
		self->helper = xdp_helper_start(&self->helper_out);
		ASSERT_LT(0, self->helper);
		ASSERT_EQ(0, xdp_listeners());
	}
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
	if (self->helper > 0) {
		/* S0's peers went, each with a teardown: the table empties */
		for (i = 0; i < 50 && xdp_listeners() > 0; i++)
			usleep(100 * 1000);
		EXPECT_EQ(0, xdp_listeners());
		xdp_helper_stop(self->helper, self->helper_out, SIGTERM);
	}
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
		/* the local path is on, but shard steers by address */
		EXPECT_EQ(BERTHA_PATH_NETWORK, (int)b.b.path);
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
	EXPECT_EQ((long long)(variant->push || variant->xdp ? 0 : 2 * KEYS),
		  (long long)ss.shard_forwarded);
	if (variant->xdp) {
		/* the program steered every request; S0 is in its table */
		EXPECT_EQ((long long)(2 * KEYS), xdp_steered());
		EXPECT_EQ(1, xdp_listeners());
	}
	/* the namespaces count too (cumulative over the tests) */
	if (variant->push) {
		EXPECT_TRUE(ns_stat_ge(topo.client[0], "shard-pushed", KEYS));
		EXPECT_TRUE(ns_stat_ge(topo.client[1], "shard-pushed", KEYS));
	} else if (!variant->xdp) {
		EXPECT_TRUE(ns_stat_ge(topo.server, "shard-forwarded", 2 * KEYS));
	}
	for (i = 0; i < 2; i++)
		close(c[i]);
}

/* DATA datagrams to server address SIP on capture socket CAP: how many,
 * and how many to port P0 and to port PK.
 */
static void count_data(int cap, int ipfam, const char *sip, uint16_t pk, int *data,
		       int *to_p0, int *to_pk)
{
	uint8_t pkt[256], ip[16];
	ssize_t n;

	*data = *to_p0 = *to_pk = 0;
	inet_pton(ipfam, sip, ip);
	while (poll_fd(cap, POLLIN, 200) & POLLIN) {
		struct udphdr *udp;
		uint8_t *hdr;
		size_t l3;

		n = recv(cap, pkt, sizeof(pkt), MSG_DONTWAIT);
		if (n < 40)
			continue;
		/* IPv4 (options allowed) or IPv6 (no extension headers) */
		if (ipfam == AF_INET) {
			l3 = (pkt[0] & 0xf) * 4;
			if (pkt[0] >> 4 != 4 || pkt[9] != IPPROTO_UDP ||
			    memcmp(pkt + 16, ip, 4))
				continue;
		} else {
			l3 = 40;
			if (pkt[0] >> 4 != 6 || pkt[6] != IPPROTO_UDP ||
			    memcmp(pkt + 24, ip, 16))
				continue;
		}
		if ((size_t)n < l3 + sizeof(*udp) + 8)
			continue;
		udp = (struct udphdr *)(pkt + l3);
		hdr = (uint8_t *)(udp + 1);
		/* requests: DATA (type 4) towards the server address */
		if (hdr[1] != 4)
			continue;
		(*data)++;
		*to_p0 += ntohs(udp->dest) == P0;
		*to_pk += ntohs(udp->dest) == pk;
	}
}

/* The packets on the wire: client push sends DATA to Pi; otherwise the
 * client sends to P0, and on the server's veth the XDP program has moved
 * it to Pi before any tap sees it, while the listener's fallback receives
 * it on P0.
 */
TEST_F(sh, wire_destination)
{
	uint8_t key[4] = { 1, 2, 3, 4 };
	uint16_t pk = P0 + 1 + shard_of(key);
	int cap, ccap, c, data, to_p0, to_pk;
	int steered = variant->push || variant->xdp;

	cap = dev_capture(SRV, "sv0");
	ASSERT_LE(0, cap);
	ccap = dev_capture(topo.client_fd[0], "cv0");
	ASSERT_LE(0, ccap);
	c = client(0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, round_trip(_metadata, self, variant, c, 0, key));
	ASSERT_EQ(0, round_trip(_metadata, self, variant, c, 0, key));

	count_data(cap, variant->ipfam, variant->sip, pk, &data, &to_p0, &to_pk);
	EXPECT_EQ(2, data);
	EXPECT_EQ(steered ? 0 : 2, to_p0);
	EXPECT_EQ(steered ? 2 : 0, to_pk);
	count_data(ccap, variant->ipfam, variant->sip, pk, &data, &to_p0, &to_pk);
	EXPECT_EQ(2, data);
	EXPECT_EQ(variant->push ? 0 : 2, to_p0);
	EXPECT_EQ(variant->push ? 2 : 0, to_pk);
	close(c);
	close(cap);
	close(ccap);
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
	if (!variant->push && !variant->xdp) {
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
	uint8_t dgram[12] = { 2, 4, 0, 0, 0x7f, 0xff, 0xff, 0xf0, 1, 2, 3, 4 };
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

/* The XDP helper dies: the program leaves the veths with it and its
 * registration is withdrawn. A client bound to shard/xdp keeps working
 * (S0 forwards what now reaches it); a new client gets shard/server.
 */
TEST(xdp_helper_dies)
{
	struct sockaddr_bertha a = sbe(AF_INET, "10.77.0.1", 7300), from;
	uint8_t req[8] = { 7, 7, 7, 7, 'x', 'd', 'p', '!' }, buf[16];
	unsigned int k = shard_of(req);
	struct bertha_stats ss;
	struct binding_buf b;
	int s0, sk[NSHARDS], c[2], i, out;
	socklen_t len;
	pid_t helper;

	ASSERT_EQ(0, policy_set(topo.server, "prefer-server"));
	helper = xdp_helper_start(&out);
	ASSERT_LT(0, helper);
	s0 = bsock(SRV, SOCK_DGRAM);
	ASSERT_LE(0, s0);
	ASSERT_EQ(0, set_dag(s0, "shard(ports=7301,7302,7303,7304, key=0:4)"));
	ASSERT_EQ(0, bbind(s0, &a));
	for (i = 0; i < NSHARDS; i++) {
		sk[i] = shard_sock(AF_INET, "10.77.0.1", 7301 + i);
		ASSERT_LE(0, sk[i]);
	}
	for (i = 0; i < 2; i++) {
		c[i] = client(i);
		ASSERT_LE(0, c[i]);
	}
	ASSERT_EQ(8, send_to(c[0], req, sizeof(req), &a));
	ASSERT_EQ(8, recv_from(sk[k], buf, sizeof(buf), 0, &from));
	memset(&b, 0, sizeof(b));
	memcpy(&b, &a, sizeof(a));
	len = sizeof(b);
	ASSERT_EQ(0, getsockopt(c[0], SOL_BERTHA, BERTHA_BINDING, &b, &len));
	EXPECT_TRUE(node_is(&b, 0, "shard", "xdp", BERTHA_WHERE_PEER, 30,
			    BERTHA_SCOPE_HOST, 0))
		binding_log("client 0", &b);
	EXPECT_EQ(0, (long long)bstats(s0).shard_forwarded);

	xdp_helper_stop(helper, out, SIGKILL);
	/* established: what reaches S0 now is forwarded to the same shard */
	ASSERT_EQ(8, send_to(c[0], req, sizeof(req), &a));
	ASSERT_EQ(8, recv_from(sk[k], buf, sizeof(buf), 0, &from));
	ss = bstats(s0);
	EXPECT_EQ(1, (long long)ss.shard_forwarded);
	/* new: negotiated without the withdrawn implementation */
	ASSERT_EQ(8, send_to(c[1], req, sizeof(req), &a));
	ASSERT_EQ(8, recv_from(sk[k], buf, sizeof(buf), 0, &from));
	memset(&b, 0, sizeof(b));
	memcpy(&b, &a, sizeof(a));
	len = sizeof(b);
	ASSERT_EQ(0, getsockopt(c[1], SOL_BERTHA, BERTHA_BINDING, &b, &len));
	EXPECT_TRUE(node_is(&b, 0, "shard", "server", BERTHA_WHERE_PEER, 10,
			    BERTHA_SCOPE_HOST, 0))
		binding_log("client 1", &b);
	EXPECT_EQ(2, (long long)bstats(s0).shard_forwarded);
	/* its maps went with the program: bpftool finds none */
	EXPECT_EQ(0, xdp_listeners());

	for (i = 0; i < 2; i++)
		close(c[i]);
	for (i = 0; i < NSHARDS; i++)
		close(sk[i]);
	close(s0);
	policy_set(topo.server, "prefer-client");
}

/* Mixed clients on one listener (the paper's "Mixed"): client 1's
 * namespace disabled shard/client-push, so under the default policy client
 * 0 pushes while client 1 gets the listener's fallback; every key still
 * lands on its shard.
 */
TEST(mixed_clients)
{
	struct sockaddr_bertha a = sbe(AF_INET, "10.77.0.1", 7400), from;
	const char *bin = getenv("BERTHA_BIN");
	int s0, sk[NSHARDS], c[2], i, n;
	uint8_t req[8], buf[16];
	struct binding_buf b;
	char cmd[512];
	socklen_t len;

	snprintf(cmd, sizeof(cmd),
		 "ip netns exec %s %s/berthactl impl disable shard client-push",
		 topo.client[1], bin ? bin : ".");
	ASSERT_EQ(0, netns_sh(cmd));
	s0 = bsock(SRV, SOCK_DGRAM);
	ASSERT_LE(0, s0);
	ASSERT_EQ(0, set_dag(s0, "shard(ports=7401,7402,7403,7404, key=0:4)"));
	ASSERT_EQ(0, bbind(s0, &a));
	for (i = 0; i < NSHARDS; i++) {
		sk[i] = shard_sock(AF_INET, "10.77.0.1", 7401 + i);
		ASSERT_LE(0, sk[i]);
	}
	for (i = 0; i < 2; i++) {
		c[i] = client(i);
		ASSERT_LE(0, c[i]);
	}
	for (n = 0; n < KEYS; n++) {
		for (i = 0; i < 2; i++) {
			random_key(req);
			memcpy(req + 4, "mix!", 4);
			ASSERT_EQ(8, send_to(c[i], req, sizeof(req), &a));
			ASSERT_EQ(8, recv_from(sk[shard_of(req)], buf, sizeof(buf), 0, &from));
			EXPECT_EQ(0, memcmp(buf, req, 8));
		}
	}
	for (i = 0; i < 2; i++) {
		memset(&b, 0, sizeof(b));
		memcpy(&b, &a, sizeof(a));
		len = sizeof(b);
		ASSERT_EQ(0, getsockopt(c[i], SOL_BERTHA, BERTHA_BINDING, &b, &len));
		EXPECT_TRUE(i ? node_is(&b, 0, "shard", "server", BERTHA_WHERE_PEER, 10,
					BERTHA_SCOPE_HOST, 0) :
				node_is(&b, 0, "shard", "client-push", BERTHA_WHERE_LOCAL, 20,
					BERTHA_SCOPE_HOST, 0))
			binding_log(i ? "client 1" : "client 0", &b);
	}
	EXPECT_EQ(KEYS, (long long)bstats(c[0]).shard_pushed);
	EXPECT_EQ(0, (long long)bstats(c[1]).shard_pushed);
	EXPECT_EQ(KEYS, (long long)bstats(s0).shard_forwarded);

	for (i = 0; i < 2; i++)
		close(c[i]);
	for (i = 0; i < NSHARDS; i++)
		close(sk[i]);
	close(s0);
	snprintf(cmd, sizeof(cmd),
		 "ip netns exec %s %s/berthactl impl enable shard client-push",
		 topo.client[1], bin ? bin : ".");
	EXPECT_EQ(0, netns_sh(cmd));
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

#define REL_DAG		DAG " |> reliable"
#define REL_N		400

/* A request: key, sequence number, padding. */
struct rel_req {
	uint8_t key[4];
	uint32_t seq;
	uint8_t pad[24];
};

struct rel_client {
	int fd, n, err;
	struct sockaddr_bertha to;
	uint8_t keys[REL_N][4];
	uint8_t seen[REL_N];
	int got, dups;
};

static void *rel_client_send(void *p)
{
	struct rel_client *c = p;
	struct rel_req r;
	int i;

	for (i = 0; i < c->n && !c->err; i++) {
		memset(&r, 0, sizeof(r));
		memcpy(r.key, c->keys[i], 4);
		r.seq = i;
		if (send_to(c->fd, &r, sizeof(r), &c->to) != sizeof(r))
			c->err = errno ?: EIO;
	}
	return NULL;
}

/* The replies: each request's, once. */
static void *rel_client_recv(void *p)
{
	struct rel_client *c = p;
	struct sockaddr_bertha from;
	uint32_t seq;
	uint8_t buf[64];
	ssize_t n;

	while (c->got < c->n) {
		n = recv_from(c->fd, buf, sizeof(buf), 0, &from);
		if (n != 5) {
			c->err = n < 0 ? errno : EPROTO;
			return NULL;
		}
		memcpy(&seq, buf + 1, 4);
		if (seq >= (uint32_t)c->n || buf[0] != 'A' + shard_of(c->keys[seq])) {
			c->err = EPROTO;
			return NULL;
		}
		if (c->seen[seq]++)
			c->dups++;
		else
			c->got++;
	}
	return NULL;
}

/*
 * shard |> reliable under loss, duplication and reordering: REL_N
 * requests with random keys from one client, each at its shard once and
 * in send order, each answered once; the counters show the recovery.
 */
TEST_F_TIMEOUT(sh, reliable_under_netem, 600)
{
	struct sockaddr_bertha a = sbe(variant->ipfam, variant->sip, P0);
	static struct rel_client c;
	struct sockaddr_bertha from;
	uint32_t last[NSHARDS], hits[NSHARDS] = { 0 };
	struct bertha_stats cs, ss;
	struct pollfd pfd[NSHARDS];
	uint8_t seen[REL_N] = { 0 }, buf[64];
	struct binding_buf b;
	struct rel_req r;
	pthread_t ts, tr;
	int i, k, got = 0, dups = 0, order = 0;
	long long end;
	socklen_t len;

	/* a guest without tc is a broken runner: red, not a skip */
	ASSERT_EQ(0, netns_sh("command -v tc >/dev/null"))
		TH_LOG("iproute2's tc is not installed in the guest");
	/* S0 again, with reliable after the shard */
	close(self->s0);
	self->s0 = bsock(SRV, SOCK_DGRAM);
	ASSERT_LE(0, self->s0);
	ASSERT_EQ(0, set_dag(self->s0, REL_DAG));
	ASSERT_EQ(0, bbind(self->s0, &a));

	memset(&c, 0, sizeof(c));
	c.fd = client(0);
	ASSERT_LE(0, c.fd);
	ASSERT_EQ(0, sockopt_ms(c.fd, SO_RCVTIMEO, 60000));
	ASSERT_EQ(0, sockopt_ms(c.fd, SO_SNDTIMEO, 60000));
	c.to = self->canon;
	c.n = REL_N;
	for (i = 0; i < REL_N; i++)
		random_key(c.keys[i]);

	/* negotiate first, unimpaired: a probe to its shard, no answer */
	memset(&r, 0, sizeof(r));
	random_key(r.key);
	r.seq = ~0u;
	ASSERT_EQ((ssize_t)sizeof(r), send_to(c.fd, &r, sizeof(r), &self->canon));
	ASSERT_EQ((ssize_t)sizeof(r), recv_from(self->s[shard_of(r.key)], buf, sizeof(buf), 0,
				       &from));

	/* both ends have reliable bound for this peer, after the shard */
	memset(&b, 0, sizeof(b));
	memcpy(&b, &self->canon, sizeof(self->canon));
	len = sizeof(b);
	ASSERT_EQ(0, getsockopt(c.fd, SOL_BERTHA, BERTHA_BINDING, &b, &len));
	ASSERT_EQ(2, (int)b.b.count);
	EXPECT_EQ(BERTHA_PATH_NETWORK, (int)b.b.path);
	EXPECT_TRUE(node_is(&b, 0, "shard", variant->impl, variant->where,
			    variant->prio, BERTHA_SCOPE_HOST, 0))
		binding_log("client", &b);
	EXPECT_TRUE(node_is(&b, 1, "reliable", "kernel", BERTHA_WHERE_BOTH, 0,
			    BERTHA_SCOPE_APPLICATION, 0))
		binding_log("client", &b);
	memset(&b, 0, sizeof(b));
	memcpy(&b, &from, sizeof(from));
	len = sizeof(b);
	ASSERT_EQ(0, getsockopt(self->s0, SOL_BERTHA, BERTHA_BINDING, &b, &len));
	EXPECT_TRUE(node_is(&b, 1, "reliable", "kernel", BERTHA_WHERE_BOTH, 0,
			    BERTHA_SCOPE_APPLICATION, 0))
		binding_log("S0", &b);

	ASSERT_EQ(0, netns_netem(&topo, "delay 2ms loss 10% duplicate 5% reorder 25% 50%"));
	pthread_create(&tr, NULL, rel_client_recv, &c);
	pthread_create(&ts, NULL, rel_client_send, &c);

	/* every request at its shard, once, in send order; answered */
	for (i = 0; i < NSHARDS; i++) {
		pfd[i].fd = self->s[i];
		pfd[i].events = POLLIN;
		last[i] = ~0u;
	}
	end = now_ms() + 120000;
	while (got < REL_N && now_ms() < end) {
		if (poll(pfd, NSHARDS, 1000) <= 0)
			continue;
		for (k = 0; k < NSHARDS; k++) {
			if (!(pfd[k].revents & POLLIN))
				continue;
			if (recv_from(self->s[k], &r, sizeof(r), MSG_DONTWAIT, &from) !=
			    sizeof(r) || r.seq >= REL_N ||
			    (unsigned int)k != shard_of(c.keys[r.seq]) ||
			    memcmp(r.key, c.keys[r.seq], 4)) {
				order++;
				continue;
			}
			if (seen[r.seq]++) {
				dups++;
				continue;
			}
			got++;
			hits[k]++;
			if (last[k] != ~0u && r.seq < last[k])
				order++;
			last[k] = r.seq;
			buf[0] = 'A' + k;
			memcpy(buf + 1, &r.seq, 4);
			EXPECT_EQ(5, send_to(self->s[k], buf, 5, &from));
		}
	}
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	netns_netem(&topo, NULL);
	EXPECT_EQ(REL_N, got);
	EXPECT_EQ(0, dups);
	EXPECT_EQ(0, order);
	EXPECT_EQ(0, c.err) TH_LOG("client: %s", strerror(c.err));
	EXPECT_EQ(REL_N, c.got);
	EXPECT_EQ(0, c.dups);
	EXPECT_TRUE(all_drained(self));

	cs = bstats(c.fd);
	ss = bstats(self->s0);
	TH_LOG("hits %u %u %u %u", hits[0], hits[1], hits[2], hits[3]);
	TH_LOG("client: retransmits %llu duplicates %llu out-of-order %llu timeouts %llu pushed %llu",
	       (unsigned long long)cs.rel_retransmits, (unsigned long long)cs.rel_duplicates,
	       (unsigned long long)cs.rel_out_of_order, (unsigned long long)cs.rel_timeouts,
	       (unsigned long long)cs.shard_pushed);
	TH_LOG("S0: retransmits %llu duplicates %llu out-of-order %llu timeouts %llu forwarded %llu",
	       (unsigned long long)ss.rel_retransmits, (unsigned long long)ss.rel_duplicates,
	       (unsigned long long)ss.rel_out_of_order, (unsigned long long)ss.rel_timeouts,
	       (unsigned long long)ss.shard_forwarded);
	EXPECT_LT(0, (long long)cs.rel_retransmits);
	EXPECT_LT(0, (long long)ss.rel_retransmits);
	EXPECT_LT(0, (long long)(cs.rel_duplicates + ss.rel_duplicates));
	EXPECT_EQ(0, (long long)ss.rx_messages);
	EXPECT_EQ(0, (long long)ss.shard_dropped);
	EXPECT_EQ(REL_N + 1, (long long)cs.tx_messages);
	EXPECT_EQ(REL_N, (long long)cs.rx_messages);
	EXPECT_EQ((long long)(variant->push ? REL_N + 1 : 0), (long long)cs.shard_pushed);
	EXPECT_EQ((long long)(variant->push || variant->xdp ? 0 : REL_N + 1),
		  (long long)ss.shard_forwarded);
	close(c.fd);
}

int main(int argc, char **argv)
{
	int rc = netns_setup(&topo, "sh", 2);

	if (rc)
		return KSFT_FAIL;
	seed = getenv("SHARD_SEED") ? strtoul(getenv("SHARD_SEED"), NULL, 0) :
				      (unsigned int)time(NULL);
	printf("# random keys: SHARD_SEED=%u\n", seed);
	srand(seed);
	netns_cleanup_at_exit(&topo, NULL);
	return test_harness_run(argc, argv);
}
