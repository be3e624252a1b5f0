// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors reach AF_BERTHA sockets through the UDP tunnel's error hook,
 * as they reach TCP: a connect to a port with nothing behind it fails
 * with ECONNREFUSED at once (not ETIMEDOUT after the HELLO schedule), one
 * to a network or host a router cannot reach with ENETUNREACH or
 * EHOSTUNREACH; a SOCK_DGRAM sendto() reports the same; an established
 * connection whose peer's port went away without its CLOSE arriving ends
 * with ECONNREFUSED. Every error is counted (icmp_errors on the socket,
 * icmp-errors in the namespace). An ICMP error that quotes a datagram the
 * connection does not send (forged, with the wrong connection id) changes
 * nothing.
 *
 * The server namespace is the client's default router: with forwarding on
 * and no route it answers with "network unreachable". An address on the
 * link that nobody has makes the client's kernel report "host
 * unreachable" itself. The local shortcut is off: every datagram crosses
 * the veth.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/ip6.h>
#include <netinet/icmp6.h>
#include <netinet/udp.h>

#include "kselftest_harness.h"
#include "netns.h"
#include "conn.h"

static struct netns_topo topo;

#define SRV	(topo.server_fd)
#define CLI	(topo.client_fd[0])

FIXTURE(un) {
	int l;
};

FIXTURE_VARIANT(un) {
	int ipfam;
	const char *sip;	/* the server's address */
	const char *cip;	/* the client's */
	const char *far;	/* an address beyond the server, routed nowhere */
	const char *nobody;	/* an address on the link nobody has */
	const char *sysctl;	/* the server's forwarding switch */
};

FIXTURE_VARIANT_ADD(un, ipv4) {
	.ipfam = AF_INET, .sip = "10.77.0.1", .cip = "10.77.0.2",
	.far = "10.99.0.1", .nobody = "10.77.0.99", .sysctl = "net.ipv4.ip_forward",
};

FIXTURE_VARIANT_ADD(un, ipv6) {
	.ipfam = AF_INET6, .sip = "fd77:0::1", .cip = "fd77:0::2",
	.far = "fd99::1", .nobody = "fd77:0::99", .sysctl = "net.ipv6.conf.all.forwarding",
};

FIXTURE_SETUP(un)
{
	self->l = -1;
	ASSERT_EQ(0, local_path_set_all(&topo, 0));
}

FIXTURE_TEARDOWN(un)
{
	char cmd[256];

	if (self->l >= 0)
		close(self->l);
	snprintf(cmd, sizeof(cmd), "ip netns exec %s sysctl -qw %s=0",
		 topo.server, variant->sysctl);
	netns_sh(cmd);
	netns_netem(&topo, NULL);
}

static int forwarding(const FIXTURE_VARIANT(un) *v, int on)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip netns exec %s sysctl -qw %s=%d",
		 topo.server, v->sysctl, on);
	return netns_sh(cmd);
}

/* The namespace's icmp-errors counter, from berthactl; -1 if unreadable. */
static long long net_icmp_errors(void)
{
	char cmd[512], line[128];
	long long v = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s/berthactl stats",
		 topo.client[0], getenv("BERTHA_BIN") ?: "build/bin");
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "icmp-errors %lld", &v) == 1)
			break;
	pclose(f);
	return v;
}

/* Connect a SOCK_SEQPACKET client to TO; 0 or the errno, and the time. */
static int connect_timed(int c, const struct sockaddr_bertha *to, long long *ms)
{
	long long t0 = now_ms();
	int err = bconnect(c, to);

	*ms = now_ms() - t0;
	return err;
}

/* A client C connected over the veth to a listener (self->l) at LA, and
 * its accepted socket A; 0, or -1 with nothing left open but self->l.
 */
static int open_pair(FIXTURE_DATA(un) *self, const FIXTURE_VARIANT(un) *v,
		     int *c, int *a, struct sockaddr_bertha *la)
{
	*c = bsock(CLI, SOCK_SEQPACKET);
	self->l = make_listener(SRV, v->ipfam, v->sip, NULL, 4);
	if (*c < 0 || self->l < 0)
		goto fail;
	*la = bname(self->l);
	if (bconnect(*c, la))
		goto fail;
	*a = accept_wait(self->l, CONN_WAIT_MS, 0);
	if (*a >= 0)
		return 0;
fail:
	if (*c >= 0)
		close(*c);
	return -1;
}

/* Nothing bound at the port: ECONNREFUSED after the first HELLO. */
TEST_F(un, port_unreachable_refuses_connect)
{
	struct sockaddr_bertha a = sbe(variant->ipfam, variant->sip,
				       unused_port(SRV, variant->ipfam, variant->sip));
	long long before = net_icmp_errors(), ms;
	int c = bsock(CLI, SOCK_SEQPACKET);
	struct bertha_stats s;

	ASSERT_NE(0, a.sbe_port);
	ASSERT_LE(0, c);
	ASSERT_LE(0, before);
	EXPECT_EQ(ECONNREFUSED, connect_timed(c, &a, &ms));
	TH_LOG("refused after %lld ms", ms);
	s = bstats(c);
	EXPECT_EQ(1, (long long)s.icmp_errors);
	EXPECT_EQ(0, (long long)s.negotiations_accepted);
	/* the HELLO schedule would have taken 6.2 s and 5 HELLOs */
	EXPECT_GT(5, (long long)s.hello_sent);
	EXPECT_LE(before + 1, net_icmp_errors());
	/* the socket can connect again, and now somewhere real */
	self->l = make_listener(SRV, variant->ipfam, variant->sip, NULL, 4);
	ASSERT_LE(0, self->l);
	a = bname(self->l);
	EXPECT_EQ(0, bconnect(c, &a));
	close(c);
}

/* The same, non-blocking: POLLERR and SO_ERROR, as TCP. */
TEST_F(un, port_unreachable_nonblocking)
{
	struct sockaddr_bertha a = sbe(variant->ipfam, variant->sip,
				       unused_port(SRV, variant->ipfam, variant->sip));
	int c = bsock(CLI, SOCK_SEQPACKET | SOCK_NONBLOCK);
	short rev;

	ASSERT_LE(0, c);
	ASSERT_EQ(EINPROGRESS, bconnect(c, &a));
	rev = poll_fd(c, POLLOUT, CONN_WAIT_MS);
	EXPECT_TRUE(rev & POLLERR) TH_LOG("revents 0x%x", rev);
	EXPECT_EQ(ECONNREFUSED, so_error(c));
	EXPECT_EQ(0, so_error(c));	/* reported once */
	EXPECT_EQ(1, (long long)bstats(c).icmp_errors);
	close(c);
}

/* A router without a route: ENETUNREACH. */
TEST_F(un, network_unreachable)
{
	struct sockaddr_bertha a = sbe(variant->ipfam, variant->far, 7000);
	int c = bsock(CLI, SOCK_SEQPACKET);
	long long ms;

	ASSERT_LE(0, c);
	ASSERT_EQ(0, forwarding(variant, 1));
	EXPECT_EQ(ENETUNREACH, connect_timed(c, &a, &ms));
	TH_LOG("unreachable after %lld ms", ms);
	EXPECT_EQ(1, (long long)bstats(c).icmp_errors);
	close(c);
}

/* An address on the link that no neighbour answers for: the client's own
 * kernel gives up resolving it and reports EHOSTUNREACH (after one probe:
 * the test makes resolution give up quickly).
 */
TEST_F(un, host_unreachable)
{
	struct sockaddr_bertha a = sbe(variant->ipfam, variant->nobody, 7000);
	int c = bsock(CLI, SOCK_SEQPACKET);
	char cmd[512];
	long long ms;
	const char *v = variant->ipfam == AF_INET ? "ipv4" : "ipv6";

	ASSERT_LE(0, c);
	snprintf(cmd, sizeof(cmd), "ip netns exec %s sysctl -qw "
		 "net.%s.neigh.cv0.mcast_solicit=1 net.%s.neigh.cv0.ucast_solicit=1 "
		 "net.%s.neigh.cv0.retrans_time_ms=200", topo.client[0], v, v, v);
	ASSERT_EQ(0, netns_sh(cmd));
	EXPECT_EQ(EHOSTUNREACH, connect_timed(c, &a, &ms));
	TH_LOG("unreachable after %lld ms", ms);
	EXPECT_EQ(1, (long long)bstats(c).icmp_errors);
	close(c);
}

/* A SOCK_DGRAM sendto() to a port with nothing behind it. */
TEST_F(un, dgram_port_unreachable)
{
	struct sockaddr_bertha a = sbe(variant->ipfam, variant->sip,
				       unused_port(SRV, variant->ipfam, variant->sip));
	int c = bsock(CLI, SOCK_DGRAM);

	ASSERT_LE(0, c);
	ASSERT_EQ(0, sockopt_ms(c, SO_SNDTIMEO, 3 * CONN_WAIT_MS));
	EXPECT_EQ(-1, sendto(c, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(1, (long long)bstats(c).icmp_errors);
	EXPECT_GT(5, (long long)bstats(c).hello_sent);
	close(c);
}

/* The server's socket goes and its CLOSE is lost: the client's next
 * message meets a closed port, and the connection ends with ECONNREFUSED.
 */
TEST_F_TIMEOUT(un, established_peer_port_gone, 60)
{
	struct sockaddr_bertha la;
	char buf[16];
	short rev;
	int c, a;

	long long gone0 = ns_counter("close-unacked", topo.server);

	ASSERT_LE(0, gone0);
	ASSERT_EQ(0, open_pair(self, variant, &c, &a, &la));
	ASSERT_EQ(BERTHA_PATH_NETWORK, conn_path(c));
	ASSERT_EQ(0, netns_netem(&topo, "loss 100%"));
	close(a);
	close(self->l);
	self->l = -1;
	/* its CLOSE is sent again, all lost, until given up after 12.6 s:
	 * then the port closes
	 */
	ASSERT_EQ(gone0 + 1, ns_counter_wait("close-unacked", topo.server,
					     gone0 + 1, 25000));
	ASSERT_EQ(0, netns_netem(&topo, NULL));
	EXPECT_EQ(0, poll_fd(c, POLLIN, 0));	/* the CLOSE never came */
	ASSERT_EQ(5, send(c, "hello", 5, 0));
	rev = poll_fd(c, POLLIN, CONN_WAIT_MS);
	EXPECT_TRUE(rev & POLLERR) TH_LOG("revents 0x%x", rev);
	EXPECT_EQ(-1, recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(0, recv(c, buf, sizeof(buf), MSG_DONTWAIT));	/* then EOF */
	EXPECT_EQ(-1, send(c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, (long long)bstats(c).icmp_errors);
	close(c);
}

/* One's complement checksum of LEN bytes at P. */
static uint16_t csum(const void *p, size_t len)
{
	const uint16_t *w = p;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	if (len)
		sum += *(const uint8_t *)w;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* A forged "port unreachable" to the client (from CL to LA) quoting a
 * DATA datagram with connection id ID; sent on the raw socket RAW.
 */
static int forge(int raw, const struct sockaddr_bertha *cl,
		 const struct sockaddr_bertha *la, uint32_t id)
{
	struct {
		struct udphdr udp;
		uint8_t wire[8];
	} __attribute__((packed)) q = {
		.udp = { .source = cl->sbe_port, .dest = la->sbe_port,
			 .len = htons(sizeof(q)) },
		.wire = { 2, 4 },		/* version 2, DATA */
	};
	uint8_t buf[128];
	size_t n;

	memcpy(&q.wire[4], &(uint32_t){ htonl(id) }, 4);
	memset(buf, 0, sizeof(buf));
	if (cl->sbe_ip_family == AF_INET) {
		struct sockaddr_in to = { .sin_family = AF_INET };
		struct icmphdr *icmp = (void *)buf;
		struct iphdr *ip = (void *)(icmp + 1);

		icmp->type = ICMP_DEST_UNREACH;
		icmp->code = ICMP_PORT_UNREACH;
		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->tot_len = htons(sizeof(*ip) + sizeof(q));
		ip->saddr = cl->sbe_addr.v4;
		ip->daddr = la->sbe_addr.v4;
		memcpy(ip + 1, &q, sizeof(q));
		n = sizeof(*icmp) + sizeof(*ip) + sizeof(q);
		icmp->checksum = csum(buf, n);
		to.sin_addr.s_addr = cl->sbe_addr.v4;
		return sendto(raw, buf, n, 0, (struct sockaddr *)&to,
			      sizeof(to)) == (ssize_t)n ? 0 : -1;
	} else {
		/* the kernel fills in an ICMPv6 checksum */
		struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
		struct icmp6_hdr *icmp = (void *)buf;
		struct ip6_hdr *ip = (void *)(icmp + 1);

		icmp->icmp6_type = ICMP6_DST_UNREACH;
		icmp->icmp6_code = ICMP6_DST_UNREACH_NOPORT;
		ip->ip6_vfc = 6 << 4;
		ip->ip6_plen = htons(sizeof(q));
		ip->ip6_nxt = IPPROTO_UDP;
		ip->ip6_hlim = 64;
		memcpy(&ip->ip6_src, cl->sbe_addr.v6, 16);
		memcpy(&ip->ip6_dst, la->sbe_addr.v6, 16);
		memcpy(ip + 1, &q, sizeof(q));
		n = sizeof(*icmp) + sizeof(*ip) + sizeof(q);
		memcpy(&to.sin6_addr, cl->sbe_addr.v6, 16);
		return sendto(raw, buf, n, 0, (struct sockaddr *)&to,
			      sizeof(to)) == (ssize_t)n ? 0 : -1;
	}
}

/* Forged "port unreachable" messages, sent to the client from inside its
 * namespace, quoting DATA of the client's connection with a thousand wrong
 * connection ids: every one counted, none acted on.
 */
TEST_F(un, forged_errors_change_nothing)
{
	int c, a, raw, i, sent = 0;
	struct sockaddr_bertha la, cl;
	long long before;
	char buf[16];

	ASSERT_EQ(0, open_pair(self, variant, &c, &a, &la));
	cl = bname(c);	/* the address the connection sends from */
	before = net_icmp_errors();
	ASSERT_LE(0, before);
	ASSERT_EQ(0, netns_enter(CLI));
	raw = socket(variant->ipfam, SOCK_RAW | SOCK_CLOEXEC,
		     variant->ipfam == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	ASSERT_LE(0, raw);
	/* ids 1000..1999: never the listener's id for this connection */
	for (i = 0; i < 1000; i++)
		sent += !forge(raw, &cl, &la, 1000 + i);
	close(raw);
	EXPECT_EQ(1000, sent);
	/* the connection noticed nothing */
	ASSERT_EQ(0, sockopt_ms(c, SO_RCVTIMEO, CONN_WAIT_MS));
	ASSERT_EQ(0, sockopt_ms(a, SO_RCVTIMEO, CONN_WAIT_MS));
	ASSERT_EQ(3, send(a, "abc", 3, 0));
	EXPECT_EQ(3, recv(c, buf, sizeof(buf), 0));
	ASSERT_EQ(3, send(c, "def", 3, 0));
	EXPECT_EQ(3, recv(a, buf, sizeof(buf), 0));
	EXPECT_EQ(0, so_error(c));
	EXPECT_EQ(0, (long long)bstats(c).icmp_errors);
	/* each one reached bertha and was counted by the namespace */
	EXPECT_EQ(before + 1000, net_icmp_errors());
	close(a);
	close(c);
}

int main(int argc, char **argv)
{
	if (netns_setup(&topo, "un", 1))
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, NULL);
	return test_harness_run(argc, argv);
}
