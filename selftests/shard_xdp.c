// SPDX-License-Identifier: GPL-2.0
/*
 * The shard chunnel's XDP steering (bpf/shard_steer.bpf.c, loaded through
 * userspace/shard_xdp.c) on the server end of a veth pair, native and
 * generic: each key reaches the shard kmod/include/bertha/shard.h picks,
 * over IPv4 and IPv6, through VLAN tags and IPv4 options; control, FIN
 * and short messages reach the canonical port unchanged; malformed
 * datagrams are dropped; the UDP checksum stays right (0xffff for a
 * computed 0, IPv4's "no checksum" kept); the counters say exactly what
 * was sent.
 *
 * Frames are built whole, checksums included, and sent from a packet
 * socket on the client's veth: such skbs are CHECKSUM_NONE, so the
 * server's UDP verifies every checksum in software. (A UDP socket's skb
 * would cross the veth CHECKSUM_PARTIAL, which local delivery trusts
 * whatever the checksum field says.) A corrupted checksum that is not
 * delivered shows that verification is on.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "netns.h"
#include "shard_xdp.h"

#include <bertha/shard.h>

static struct netns_topo topo;

#define SRV		(topo.server_fd)
#define CLI		(topo.client_fd[0])
#define SPORT		4242	/* the client's source port; no socket needed */
#define WAIT_MS		3000	/* a datagram that should arrive */
#define NSH		BERTHA_SHARD_MAX

/* Wire header values (kmod/wire.h) */
enum { HELLO = 1, ACCEPT, REJECT, DATA, CLOSE, ACK };
#define F_SEQ	0x0001
#define F_FIN	0x0002

/* Addresses by the number of VLAN tags in front of IP: none (sv0), one
 * 802.1Q tag (sv0.100), an 802.1ad tag and an 802.1Q tag (sv0.ad.300).
 */
static const char *const ip4_srv[] = { "10.77.0.1", "10.78.0.1", "10.79.0.1" };
static const char *const ip4_cli[] = { "10.77.0.2", "10.78.0.2", "10.79.0.2" };
static const char *const ip6_srv[] = { "fd77:0::1", "fd78::1", "fd79::1" };
static const char *const ip6_cli[] = { "fd77:0::2", "fd78::2", "fd79::2" };

static const uint8_t mac_srv[ETH_ALEN] = { 0x02, 0x77, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t mac_cli[ETH_ALEN] = { 0x02, 0x77, 0x00, 0x00, 0x00, 0x02 };

/* ---- checksums -------------------------------------------------------- */

static uint32_t sum16(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold16(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* One's complement sum of the UDP pseudo header and segment (host order). */
static uint16_t udp_sum(int ipver, const void *src, const void *dst,
			const void *seg, size_t len)
{
	uint32_t sum = 0;

	if (ipver == 4) {
		sum = sum16(sum, src, 4);
		sum = sum16(sum, dst, 4);
		sum += IPPROTO_UDP + len;
	} else {
		sum = sum16(sum, src, 16);
		sum = sum16(sum, dst, 16);
		sum += len >> 16;	/* 32-bit length, 24 zero bits, 17 */
		sum += len & 0xffff;
		sum += IPPROTO_UDP;
	}
	return fold16(sum16(sum, seg, len));
}

/* ---- frames ----------------------------------------------------------- */

enum csum_mode { CS_OK, CS_ZERO, CS_BAD };

struct tx {
	int ipver;		/* 4 or 6 */
	int vlans;		/* 0, 1 or 2 tags */
	int ip_opts;		/* IPv4: one 4-byte word of options (IHL 6) */
	int mf;			/* IPv4: a first fragment (MF set) */
	enum csum_mode csum;
	uint16_t dport;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* A whole Ethernet frame carrying PL as UDP payload; its length. */
static size_t frame(uint8_t *f, const struct tx *t, const void *pl, size_t len)
{
	uint8_t src[16], dst[16], *ip, *udp;
	size_t n = 0, iphl, ulen = 8 + len;
	uint16_t check;

	memcpy(f, mac_srv, ETH_ALEN);
	memcpy(f + ETH_ALEN, mac_cli, ETH_ALEN);
	n = 2 * ETH_ALEN;
	if (t->vlans == 1) {
		put16(f + n, ETH_P_8021Q);
		put16(f + n + 2, 100);
		n += 4;
	} else if (t->vlans == 2) {
		put16(f + n, ETH_P_8021AD);
		put16(f + n + 2, 200);
		put16(f + n + 4, ETH_P_8021Q);
		put16(f + n + 6, 300);
		n += 8;
	}
	put16(f + n, t->ipver == 4 ? ETH_P_IP : ETH_P_IPV6);
	n += 2;
	ip = f + n;
	if (t->ipver == 4) {
		inet_pton(AF_INET, ip4_cli[t->vlans], src);
		inet_pton(AF_INET, ip4_srv[t->vlans], dst);
		iphl = t->ip_opts ? 24 : 20;
		memset(ip, 0, iphl);
		ip[0] = 0x40 | iphl / 4;
		put16(ip + 2, iphl + ulen);
		put16(ip + 4, 0x1234);
		put16(ip + 6, t->mf ? 0x2000 : 0x4000);	/* MF, or DF */
		ip[8] = 64;
		ip[9] = IPPROTO_UDP;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		if (t->ip_opts)
			memcpy(ip + 20, "\x01\x01\x01\x00", 4);	/* NOP NOP NOP EOL */
		put16(ip + 10, ~fold16(sum16(0, ip, iphl)));
	} else {
		inet_pton(AF_INET6, ip6_cli[t->vlans], src);
		inet_pton(AF_INET6, ip6_srv[t->vlans], dst);
		iphl = 40;
		memset(ip, 0, iphl);
		ip[0] = 0x60;
		put16(ip + 4, ulen);
		ip[6] = IPPROTO_UDP;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
	}
	udp = ip + iphl;
	put16(udp, SPORT);
	put16(udp + 2, t->dport);
	put16(udp + 4, ulen);
	put16(udp + 6, 0);
	memcpy(udp + 8, pl, len);
	check = ~udp_sum(t->ipver, src, dst, udp, ulen);
	if (!check)
		check = 0xffff;
	if (t->csum == CS_ZERO)
		check = 0;
	else if (t->csum == CS_BAD)	/* wrong, and not 0 ("none") */
		check ^= check == 0x5a5a ? 0xa5a5 : 0x5a5a;
	put16(udp + 6, check);
	return n + iphl + ulen;
}

/* A bertha datagram: header, a sequence number with F_SEQ, MSG. */
static size_t bertha(uint8_t *p, uint8_t type, uint16_t flags, uint32_t seq,
		     const void *msg, size_t len)
{
	size_t n = 8;

	p[0] = 2;
	p[1] = type;
	put16(p + 2, flags);
	memcpy(p + 4, "\x00\x00\x12\x34", 4);
	if (flags & F_SEQ) {
		put16(p + 8, seq >> 16);
		put16(p + 10, seq);
		n += 4;
	}
	memcpy(p + n, msg, len);
	return n + len;
}

/* ---- unit checks of the shared header --------------------------------- */

TEST(fnv1a_vectors)
{
	/* FNV-1a 32 reference values */
	EXPECT_EQ(0x811c9dc5U, bertha_shard_hash("", 0));
	EXPECT_EQ(0xe40c292cU, bertha_shard_hash("a", 1));
	EXPECT_EQ(0xbf9cf968U, bertha_shard_hash("foobar", 6));
	EXPECT_EQ(0xe40c292cU % 7, bertha_shard_index(bertha_shard_hash("a", 1), 7));
	EXPECT_EQ(0U, bertha_shard_index(0xffffffffU, 1));
	EXPECT_EQ(15U, bertha_shard_index(0xffffffffU, 16));
}

TEST(msg_offset)
{
	uint8_t p[32] = { 0 };

	EXPECT_EQ(8, bertha_shard_msg_offset(p, bertha(p, DATA, 0, 0, "x", 1)));
	EXPECT_EQ(8, bertha_shard_msg_offset(p, 8));	/* empty message */
	EXPECT_EQ(12, bertha_shard_msg_offset(p, bertha(p, DATA, F_SEQ, 7, "x", 1)));
	EXPECT_EQ(12, bertha_shard_msg_offset(p, 12));
	EXPECT_EQ(BERTHA_SHARD_MALFORMED, bertha_shard_msg_offset(p, 11));
	bertha(p, DATA, F_SEQ | F_FIN, 7, "", 0);
	EXPECT_EQ(BERTHA_SHARD_NOT_DATA, bertha_shard_msg_offset(p, 12));
	bertha(p, DATA, F_FIN, 0, "", 0);
	EXPECT_EQ(BERTHA_SHARD_NOT_DATA, bertha_shard_msg_offset(p, 8));
	bertha(p, DATA, 0x8000, 0, "", 0);	/* unknown flags are ignored */
	EXPECT_EQ(8, bertha_shard_msg_offset(p, 8));
	bertha(p, HELLO, 0, 0, "", 0);
	EXPECT_EQ(BERTHA_SHARD_NOT_DATA, bertha_shard_msg_offset(p, 8));
	bertha(p, ACK, 0, 0, "", 0);
	EXPECT_EQ(BERTHA_SHARD_NOT_DATA, bertha_shard_msg_offset(p, 8));
	EXPECT_EQ(BERTHA_SHARD_MALFORMED, bertha_shard_msg_offset(p, 7));
	EXPECT_EQ(BERTHA_SHARD_MALFORMED, bertha_shard_msg_offset(p, 0));
	p[1] = 0;
	EXPECT_EQ(BERTHA_SHARD_MALFORMED, bertha_shard_msg_offset(p, 8));
	p[1] = 9;
	EXPECT_EQ(BERTHA_SHARD_MALFORMED, bertha_shard_msg_offset(p, 8));
	bertha(p, DATA, 0, 0, "", 0);
	p[0] = 1;	/* wire version 1 */
	EXPECT_EQ(BERTHA_SHARD_MALFORMED, bertha_shard_msg_offset(p, 8));
	p[0] = 3;
	EXPECT_EQ(BERTHA_SHARD_MALFORMED, bertha_shard_msg_offset(p, 8));
	/* the short-key rule: shard 0 */
	EXPECT_EQ(0U, bertha_shard_pick("abc", 3, 2, 2, 16));
	EXPECT_EQ(bertha_shard_index(bertha_shard_hash("bc", 2), 16),
		  bertha_shard_pick("abc", 3, 1, 2, 16));
	EXPECT_FALSE(bertha_shard_has_key(3, 0xffffffffU, 4));
}

/* ---- steering on a veth ---------------------------------------------- */

FIXTURE(steer) {
	struct shard_xdp *sx;
	enum shard_xdp_mode mode;
	int tx;				/* packet socket on cv0 */
	int canon[2];			/* [0] IPv4, [1] IPv6 */
	int shard[NSH][2];
	uint16_t canon_port;
	uint16_t shard_port[NSH];
	struct shard_xdp_listener l;	/* the listeners' settings */
	struct shard_xdp_counters want;
	uint8_t pl[2048], f[2200], rbuf[2200];
};

FIXTURE_VARIANT(steer) {
	enum shard_xdp_mode mode;
	enum shard_xdp_mode expect;
};

/* veth has native XDP: AUTO must choose it */
FIXTURE_VARIANT_ADD(steer, native) {
	.mode = SHARD_XDP_MODE_AUTO,
	.expect = SHARD_XDP_MODE_NATIVE,
};

FIXTURE_VARIANT_ADD(steer, generic) {
	.mode = SHARD_XDP_MODE_GENERIC,
	.expect = SHARD_XDP_MODE_GENERIC,
};

/*
 * A packet socket of TYPE on DEV of the current namespace: SOCK_RAW sends
 * whole frames, SOCK_DGRAM sees from the network header on. fd or -1.
 */
static int packet_sock(int type, const char *dev)
{
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = if_nametoindex(dev),
	};
	int fd = socket(AF_PACKET, type | SOCK_CLOEXEC,
			type == SOCK_RAW ? 0 : htons(ETH_P_ALL));

	if (fd >= 0 && bind(fd, (struct sockaddr *)&ll, sizeof(ll))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* A UDP socket of FAM on the wildcard address, port PORT (0: any). */
static int wild_sock(int fam, uint16_t port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;
	int rcvbuf = 1 << 20;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (fam == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (fam == AF_INET ? bind(fd, (struct sockaddr *)&a4, sizeof(a4)) :
			     bind(fd, (struct sockaddr *)&a6, sizeof(a6)))
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

static uint16_t sock_port(int fd)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return 0;
	return ntohs(a.sin6_port);
}

/* The same port on both families: IPv4 picks, IPv6 follows. */
static int sock_pair(int fd[2], uint16_t *port)
{
	fd[0] = wild_sock(AF_INET, 0);
	*port = fd[0] >= 0 ? sock_port(fd[0]) : 0;
	fd[1] = *port ? wild_sock(AF_INET6, *port) : -1;
	return fd[1] >= 0 ? 0 : -1;
}

/* (Re)configure every listener address with NSHARDS, KEY_OFF, KEY_LEN. */
static int configure(FIXTURE_DATA(steer) *self, int nshards, int key_off,
		     int key_len)
{
	int i, err;

	self->l.nshards = nshards;
	self->l.key_off = key_off;
	self->l.key_len = key_len;
	self->l.port = self->canon_port;
	memcpy(self->l.ports, self->shard_port, sizeof(self->l.ports));
	for (i = 0; i < 3; i++) {
		self->l.family = AF_INET;
		memset(&self->l.addr, 0, sizeof(self->l.addr));
		inet_pton(AF_INET, ip4_srv[i], &self->l.addr.v4);
		err = shard_xdp_listener_add(self->sx, &self->l);
		if (err)
			return err;
		self->l.family = AF_INET6;
		inet_pton(AF_INET6, ip6_srv[i], &self->l.addr.v6);
		err = shard_xdp_listener_add(self->sx, &self->l);
		if (err)
			return err;
	}
	return 0;
}

FIXTURE_SETUP(steer)
{
	int i;

	memset(&self->want, 0, sizeof(self->want));
	memset(&self->l, 0, sizeof(self->l));
	self->sx = NULL;
	/* the packet socket lives in the client's namespace */
	ASSERT_EQ(0, netns_enter(CLI));
	self->tx = packet_sock(SOCK_RAW, "cv0");
	ASSERT_LE(0, self->tx);
	ASSERT_EQ(0, netns_enter(SRV));
	ASSERT_EQ(0, sock_pair(self->canon, &self->canon_port));
	for (i = 0; i < NSH; i++)
		ASSERT_EQ(0, sock_pair(self->shard[i], &self->shard_port[i]));

	self->sx = shard_xdp_open();
	ASSERT_NE(NULL, self->sx) TH_LOG("loading: %s", strerror(errno));
	ASSERT_EQ(0, shard_xdp_attach(self->sx, if_nametoindex("sv0"),
				      variant->mode, &self->mode));
	ASSERT_EQ(variant->expect, self->mode);
	TH_LOG("attached in %s mode", shard_xdp_mode_name(self->mode));
	ASSERT_EQ(0, configure(self, 8, 2, 4));
}

FIXTURE_TEARDOWN(steer)
{
	int i, j;

	shard_xdp_destroy(self->sx);
	for (j = 0; j < 2; j++) {
		close(self->canon[j]);
		for (i = 0; i < NSH; i++)
			close(self->shard[i][j]);
	}
	close(self->tx);
}

static int xmit(FIXTURE_DATA(steer) *self, const struct tx *t, const void *pl,
		size_t len)
{
	size_t n = frame(self->f, t, pl, len);

	return send(self->tx, self->f, n, 0) == (ssize_t)n ? 0 : -1;
}

/* The socket a datagram PL should reach: a shard's, or the canonical. */
static int where(FIXTURE_DATA(steer) *self, int ipver, const uint8_t *pl,
		 size_t len, int *shard)
{
	int off = bertha_shard_msg_offset(pl, len), v = ipver == 6;

	*shard = -1;
	if (off < 0 || !bertha_shard_has_key(len - off, self->l.key_off,
					     self->l.key_len))
		return self->canon[v];
	*shard = bertha_shard_pick(pl + off, len - off, self->l.key_off,
				   self->l.key_len, self->l.nshards);
	return self->shard[*shard][v];
}

/* Receive from FD within WAIT_MS and compare with PL. 0 or -1 (logged). */
static int expect_dgram(FIXTURE_DATA(steer) *self, int fd, const void *pl,
			size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct sockaddr_in6 from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	if (poll(&p, 1, WAIT_MS) != 1) {
		fprintf(stderr, "#   nothing arrived on port %u\n", sock_port(fd));
		return -1;
	}
	n = recvfrom(fd, self->rbuf, sizeof(self->rbuf), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &flen);
	if (n != (ssize_t)len || memcmp(self->rbuf, pl, len)) {
		fprintf(stderr, "#   port %u: got %zd bytes, wanted %zu\n",
			sock_port(fd), n, len);
		return -1;
	}
	if (ntohs(from.sin6_port) != SPORT) {	/* same offset in sockaddr_in */
		fprintf(stderr, "#   source port %u\n", ntohs(from.sin6_port));
		return -1;
	}
	return 0;
}

/* Nothing waiting on any socket but SKIP (-1: none). Count of extras. */
static int strays(FIXTURE_DATA(steer) *self, int skip)
{
	int i, j, n = 0;

	for (j = 0; j < 2; j++) {
		for (i = -1; i < NSH; i++) {
			int fd = i < 0 ? self->canon[j] : self->shard[i][j];

			if (fd == skip)
				continue;
			while (recv(fd, self->rbuf, sizeof(self->rbuf), MSG_DONTWAIT) >= 0) {
				fprintf(stderr, "#   stray datagram on port %u\n",
					sock_port(fd));
				n++;
			}
		}
	}
	return n;
}

/*
 * Send a bertha datagram to the canonical port with T and expect it,
 * unchanged, on exactly the socket the shared header picks; account it.
 */
static int steer_one(FIXTURE_DATA(steer) *self, struct tx *t, const uint8_t *pl,
		     size_t len)
{
	int shard, fd = where(self, t->ipver, pl, len, &shard);
	int off = bertha_shard_msg_offset(pl, len);

	t->dport = self->canon_port;
	if (xmit(self, t, pl, len) || expect_dgram(self, fd, pl, len))
		return -1;
	if (shard >= 0)
		self->want.steered++;
	else if (off < 0)
		self->want.passed_control++;
	else
		self->want.passed_short++;
	return strays(self, -1);
}

/*
 * Everything sent before has been handled: a CLOSE sent now reaches the
 * canonical port first (one queue, in order), and no socket holds more.
 */
static int barrier(FIXTURE_DATA(steer) *self)
{
	struct tx t = { .ipver = 4 };
	uint8_t p[16];
	size_t n = bertha(p, CLOSE, 0, 0, "end", 3);

	return steer_one(self, &t, p, n);
}

static int counters_match(FIXTURE_DATA(steer) *self)
{
	struct shard_xdp_counters c;

	if (shard_xdp_counters_read(self->sx, &c))
		return 0;
	if (!memcmp(&c, &self->want, sizeof(c)))
		return 1;
	fprintf(stderr, "#   counters got/want: steered %llu/%llu control %llu/%llu short %llu/%llu\n"
		"#   malformed %llu/%llu other %llu/%llu\n",
		(unsigned long long)c.steered, (unsigned long long)self->want.steered,
		(unsigned long long)c.passed_control,
		(unsigned long long)self->want.passed_control,
		(unsigned long long)c.passed_short,
		(unsigned long long)self->want.passed_short,
		(unsigned long long)c.dropped_malformed,
		(unsigned long long)self->want.dropped_malformed,
		(unsigned long long)c.passed_other,
		(unsigned long long)self->want.passed_other);
	return 0;
}

/* A DATA datagram whose message is KEY (4 bytes) at offset 2 plus a tail. */
static size_t keyed(uint8_t *p, uint32_t key, uint16_t flags, uint32_t seq)
{
	uint8_t msg[16] = "..kkkk-tail-xy";

	msg[2] = key >> 24;
	msg[3] = key >> 16;
	msg[4] = key >> 8;
	msg[5] = key;
	return bertha(p, DATA, flags, seq, msg, sizeof(msg));
}

/* Every shard gets the keys that hash to it, over IPv4 and IPv6. */
TEST_F(steer, keys_reach_their_shard)
{
	int hits[NSH] = { 0 }, v, shard;
	uint32_t k;
	size_t n;

	for (v = 0; v < 2; v++) {
		for (k = 0; k < 48; k++) {
			struct tx t = { .ipver = v ? 6 : 4 };

			n = keyed(self->pl, k * 2654435761U, 0, 0);
			where(self, t.ipver, self->pl, n, &shard);
			ASSERT_LE(0, shard);
			hits[shard]++;
			ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
		}
	}
	for (shard = 0; shard < self->l.nshards; shard++)
		EXPECT_LT(0, hits[shard]) TH_LOG("shard %d never chosen", shard);
	ASSERT_EQ(0, barrier(self));
	EXPECT_TRUE(counters_match(self));
}

/* IPv4 without a checksum (0) is steered and delivered; 0 stays 0. */
TEST_F(steer, ipv4_checksum_zero)
{
	struct tx t = { .ipver = 4, .csum = CS_ZERO };
	uint32_t k;
	size_t n;

	for (k = 0; k < 16; k++) {
		n = keyed(self->pl, k, 0, 0);
		ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
	}
	ASSERT_EQ(0, barrier(self));
	EXPECT_TRUE(counters_match(self));
}

/*
 * A wrong checksum stays wrong after steering: the shard's socket never
 * sees it (the stack verifies), while a right one with the same key
 * arrives.
 */
TEST_F(steer, bad_checksum_not_delivered)
{
	int v, shard;
	size_t n;

	for (v = 0; v < 2; v++) {
		struct tx t = { .ipver = v ? 6 : 4, .csum = CS_BAD,
				.dport = self->canon_port };

		n = keyed(self->pl, 0xabcd0000 + v, 0, 0);
		where(self, t.ipver, self->pl, n, &shard);
		ASSERT_LE(0, shard);
		ASSERT_EQ(0, xmit(self, &t, self->pl, n));
		self->want.steered++;
		/* the good twin, marked, behind it in the same queue */
		self->pl[n - 1] = 'G';
		t.csum = CS_OK;
		ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
	}
	ASSERT_EQ(0, barrier(self));
	EXPECT_TRUE(counters_match(self));
}

/*
 * A segment whose checksum after steering computes to 0 must carry
 * 0xffff: IPv6 drops a zero checksum and IPv4 would read it as none. The
 * message's last word is chosen to make it so; a capture on sv0 (after
 * XDP) reads the field.
 */
TEST_F(steer, checksum_zero_becomes_ffff)
{
	int v, shard, cap, found;
	uint8_t src[16], dst[16], seg[64];
	uint16_t fill;
	size_t n;

	cap = packet_sock(SOCK_DGRAM, "sv0");
	ASSERT_LE(0, cap);
	for (v = 0; v < 2; v++) {
		struct tx t = { .ipver = v ? 6 : 4 };
		int fam = v ? AF_INET6 : AF_INET;

		n = keyed(self->pl, 0x5eed0000 + v, 0, 0);	/* 22 bytes, even */
		where(self, t.ipver, self->pl, n, &shard);
		ASSERT_LE(0, shard);
		/* the steered segment, check 0 and the last word 0 ... */
		inet_pton(fam, v ? ip6_cli[0] : ip4_cli[0], src);
		inet_pton(fam, v ? ip6_srv[0] : ip4_srv[0], dst);
		self->pl[n - 2] = 0;
		self->pl[n - 1] = 0;
		put16(seg, SPORT);
		put16(seg + 2, self->shard_port[shard]);
		put16(seg + 4, 8 + n);
		put16(seg + 6, 0);
		memcpy(seg + 8, self->pl, n);
		/* ... then the word that makes its sum 0xffff */
		fill = ~udp_sum(t.ipver, src, dst, seg, 8 + n);
		put16(self->pl + n - 2, fill);
		ASSERT_EQ(0, steer_one(self, &t, self->pl, n));

		found = 0;
		while (!found && poll(&(struct pollfd){ .fd = cap, .events = POLLIN },
				      1, WAIT_MS) == 1) {
			struct sockaddr_ll from;
			socklen_t flen = sizeof(from);
			ssize_t len = recvfrom(cap, self->rbuf, sizeof(self->rbuf), 0,
					       (struct sockaddr *)&from, &flen);
			size_t l3 = v ? 40 : 20;
			uint8_t *udp = self->rbuf + l3;

			if (len < (ssize_t)(l3 + 8) || from.sll_pkttype == PACKET_OUTGOING ||
			    self->rbuf[0] >> 4 != (v ? 6 : 4) ||
			    self->rbuf[v ? 6 : 9] != IPPROTO_UDP)
				continue;
			if ((udp[2] << 8 | udp[3]) != self->shard_port[shard])
				continue;
			found = 1;
			EXPECT_EQ(0xffff, udp[6] << 8 | udp[7]);
		}
		EXPECT_TRUE(found) TH_LOG("the steered datagram was not captured");
	}
	close(cap);
	ASSERT_EQ(0, barrier(self));
	EXPECT_TRUE(counters_match(self));
}

/* Control types and FIN reach the canonical port byte for byte. */
TEST_F(steer, control_passes_unchanged)
{
	static const uint8_t types[] = { HELLO, ACCEPT, REJECT, CLOSE, ACK };
	unsigned int i;
	int v;
	size_t n;

	for (v = 0; v < 2; v++) {
		struct tx t = { .ipver = v ? 6 : 4 };

		for (i = 0; i < sizeof(types); i++) {
			/* bodies long enough to hold a key: type alone decides */
			n = bertha(self->pl, types[i], i, 0, "..kkkk control body", 19);
			ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
		}
		n = bertha(self->pl, DATA, F_SEQ | F_FIN, 99, "", 0);
		ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
		n = bertha(self->pl, DATA, F_SEQ | F_FIN, 99, "..kkkk", 6);
		ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
		n = bertha(self->pl, DATA, F_FIN, 0, "..kkkk", 6);
		ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
	}
	EXPECT_EQ(16ULL, self->want.passed_control);
	ASSERT_EQ(0, barrier(self));
	EXPECT_TRUE(counters_match(self));
}

/* With SEQ the key is read after the sequence number, not before it. */
TEST_F(steer, seq_offset)
{
	int done = 0, v, s12, s8;
	uint32_t seq, k;
	size_t n;

	for (k = 0; done < 16 && k < 4096; k++) {
		seq = k * 40503U;
		n = keyed(self->pl, k * 2246822519U, F_SEQ, seq);
		s12 = bertha_shard_pick(self->pl + 12, n - 12, 2, 4, self->l.nshards);
		/* where an off-by-4 parser would have sent it */
		s8 = bertha_shard_pick(self->pl + 8, n - 8, 2, 4, self->l.nshards);
		if (s8 == s12)
			continue;
		for (v = 0; v < 2; v++) {
			struct tx t = { .ipver = v ? 6 : 4 };

			ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
		}
		done++;
	}
	ASSERT_EQ(16, done);
	ASSERT_EQ(0, barrier(self));
	EXPECT_TRUE(counters_match(self));
}

/* A message that ends before its key does goes to the canonical port. */
TEST_F(steer, short_message_passes)
{
	static const char msg[] = "..kkkk";
	int v, seq;
	size_t len, n;

	for (v = 0; v < 2; v++) {
		struct tx t = { .ipver = v ? 6 : 4 };

		for (seq = 0; seq < 2; seq++) {
			/* key at [2, 6): 0 to 5 bytes are short, 6 is not */
			for (len = 0; len <= 6; len++) {
				n = bertha(self->pl, DATA, seq ? F_SEQ : 0, 5, msg, len);
				ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
			}
		}
	}
	EXPECT_EQ(24ULL, self->want.passed_short);
	EXPECT_EQ(4ULL, self->want.steered);
	ASSERT_EQ(0, barrier(self));
	EXPECT_TRUE(counters_match(self));
}

/* What bertha's receive path would drop is dropped and counted. */
TEST_F(steer, malformed_dropped)
{
	static const struct {
		uint8_t version, type;
		uint16_t flags;
		size_t len;		/* UDP payload bytes kept */
	} bad[] = {
		{ 0, DATA, 0, 14 }, { 1, DATA, 0, 14 }, { 3, DATA, 0, 14 }, /* version */
		{ 2, 0, 0, 14 }, { 2, 9, 0, 14 }, { 2, 0xff, 0, 14 },	/* type */
		{ 2, DATA, 0, 0 }, { 2, DATA, 0, 1 }, { 2, DATA, 0, 7 },	/* header */
		{ 2, DATA, F_SEQ, 8 }, { 2, DATA, F_SEQ, 11 },	/* sequence number */
	};
	unsigned int i;
	uint8_t p[32];
	int v;

	for (v = 0; v < 2; v++) {
		struct tx t = { .ipver = v ? 6 : 4, .dport = self->canon_port };

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			bertha(p, DATA, bad[i].flags, 1, "..kkkk", 6);
			p[0] = bad[i].version;
			p[1] = bad[i].type;
			ASSERT_EQ(0, xmit(self, &t, p, bad[i].len));
			self->want.dropped_malformed++;
		}
	}
	ASSERT_EQ(0, barrier(self));
	EXPECT_TRUE(counters_match(self));
}

/* 802.1Q and 802.1ad+802.1Q tagged frames: steered, or passed intact. */
TEST_F(steer, vlan_tags)
{
	uint16_t other_port;
	int other[2], vl, v;
	size_t n;

	ASSERT_EQ(0, sock_pair(other, &other_port));
	for (vl = 1; vl <= 2; vl++) {
		for (v = 0; v < 2; v++) {
			struct tx t = { .ipver = v ? 6 : 4, .vlans = vl };

			n = keyed(self->pl, 0x1000 * vl + v, 0, 0);
			ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
			n = bertha(self->pl, HELLO, 0, 0, "tagged hello", 12);
			ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
			/* not a listener: untouched */
			n = keyed(self->pl, 0x77, 0, 0);
			t.dport = other_port;
			ASSERT_EQ(0, xmit(self, &t, self->pl, n));
			ASSERT_EQ(0, expect_dgram(self, other[v], self->pl, n));
			self->want.passed_other++;
		}
	}
	ASSERT_EQ(0, barrier(self));
	EXPECT_TRUE(counters_match(self));
	close(other[0]);
	close(other[1]);
}

/* IPv4 options (IHL 6) move the UDP header; the program follows. */
TEST_F(steer, ipv4_options)
{
	struct tx t = { .ipver = 4, .ip_opts = 1 };
	uint32_t k;
	size_t n;

	for (k = 0; k < 8; k++) {
		n = keyed(self->pl, k << 8, 0, 0);
		ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
	}
	ASSERT_EQ(0, barrier(self));
	EXPECT_TRUE(counters_match(self));
}

/*
 * Not for a listener: other ports, IPv4 fragments, removed and wildcard
 * entries.
 */
TEST_F(steer, other_traffic)
{
	struct tx t = { .ipver = 4 };
	struct in_addr a4;
	struct in6_addr a6;
	uint16_t other_port;
	int other[2], v;
	size_t n;

	ASSERT_EQ(0, sock_pair(other, &other_port));
	n = keyed(self->pl, 0x99, 0, 0);
	for (v = 0; v < 2; v++) {
		t.ipver = v ? 6 : 4;
		t.dport = other_port;
		ASSERT_EQ(0, xmit(self, &t, self->pl, n));
		ASSERT_EQ(0, expect_dgram(self, other[v], self->pl, n));
		self->want.passed_other++;
	}

	/* a first fragment: waits for the rest, never steered */
	t.ipver = 4;
	t.mf = 1;
	t.dport = self->canon_port;
	ASSERT_EQ(0, xmit(self, &t, self->pl, n));
	self->want.passed_other++;
	t.mf = 0;

	/* entries removed: DATA reaches the canonical port */
	inet_pton(AF_INET, ip4_srv[0], &a4);
	inet_pton(AF_INET6, ip6_srv[0], &a6);
	ASSERT_EQ(0, shard_xdp_listener_del(self->sx, AF_INET, &a4, self->canon_port));
	ASSERT_EQ(0, shard_xdp_listener_del(self->sx, AF_INET6, &a6, self->canon_port));
	EXPECT_EQ(-ENOENT, shard_xdp_listener_del(self->sx, AF_INET, &a4,
						  self->canon_port));
	for (v = 0; v < 2; v++) {
		t.ipver = v ? 6 : 4;
		ASSERT_EQ(0, xmit(self, &t, self->pl, n));
		ASSERT_EQ(0, expect_dgram(self, self->canon[v], self->pl, n));
		self->want.passed_other++;
	}

	/* wildcard entries catch the addresses without their own */
	memset(&self->l.addr, 0, sizeof(self->l.addr));
	self->l.family = AF_INET;
	ASSERT_EQ(0, shard_xdp_listener_add(self->sx, &self->l));
	self->l.family = AF_INET6;
	ASSERT_EQ(0, shard_xdp_listener_add(self->sx, &self->l));
	for (v = 0; v < 2; v++) {
		t.ipver = v ? 6 : 4;
		ASSERT_EQ(0, steer_one(self, &t, self->pl, n));
	}
	EXPECT_EQ(2ULL, self->want.steered);

	/* the loader refuses what the program could not use */
	self->l.nshards = 0;
	EXPECT_EQ(-EINVAL, shard_xdp_listener_add(self->sx, &self->l));
	self->l.nshards = NSH + 1;
	EXPECT_EQ(-EINVAL, shard_xdp_listener_add(self->sx, &self->l));
	self->l.nshards = 2;
	self->l.key_len = BERTHA_SHARD_KEY_MAX + 1;
	EXPECT_EQ(-EINVAL, shard_xdp_listener_add(self->sx, &self->l));

	ASSERT_EQ(0, barrier(self));
	EXPECT_TRUE(counters_match(self));
	close(other[0]);
	close(other[1]);
}

/*
 * AUTO falls back to generic where the driver has no native XDP (a VLAN
 * device); one attachment per device; after detaching, datagrams reach
 * the canonical port untouched and uncounted.
 */
TEST_F(steer, attach_detach)
{
	int sv0 = if_nametoindex("sv0"), vlan = if_nametoindex("sv0.100");
	struct shard_xdp_counters c;
	enum shard_xdp_mode got = SHARD_XDP_MODE_AUTO;
	struct tx t = { .ipver = 4 };
	size_t n;

	ASSERT_LT(0, vlan);
	EXPECT_EQ(-EEXIST, shard_xdp_attach(self->sx, sv0, SHARD_XDP_MODE_AUTO, NULL));
	EXPECT_EQ(-EOPNOTSUPP, shard_xdp_attach(self->sx, vlan, SHARD_XDP_MODE_NATIVE, NULL));
	ASSERT_EQ(0, shard_xdp_attach(self->sx, vlan, SHARD_XDP_MODE_AUTO, &got));
	EXPECT_EQ((int)SHARD_XDP_MODE_GENERIC, (int)got);
	EXPECT_EQ(0, shard_xdp_detach(self->sx, vlan));

	EXPECT_EQ(0, shard_xdp_detach(self->sx, sv0));
	EXPECT_EQ(-ENOENT, shard_xdp_detach(self->sx, sv0));
	n = keyed(self->pl, 0x4321, 0, 0);
	t.dport = self->canon_port;
	ASSERT_EQ(0, xmit(self, &t, self->pl, n));
	ASSERT_EQ(0, expect_dgram(self, self->canon[0], self->pl, n));
	EXPECT_EQ(0, strays(self, -1));
	ASSERT_EQ(0, shard_xdp_counters_read(self->sx, &c));
	EXPECT_EQ(0ULL, c.steered + c.passed_control + c.passed_short +
		  c.dropped_malformed + c.passed_other);
}

/* xorshift32: a reproducible stream from the printed seed */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random settings, keys, lengths, flags and paths: all land right. */
TEST_F_TIMEOUT(steer, randomised, 240)
{
	uint32_t seed = getenv("SHARD_XDP_SEED") ? strtoul(getenv("SHARD_XDP_SEED"), NULL, 0) :
						   (uint32_t)time(NULL) | 1;
	int round, i;

	TH_LOG("seed %u (SHARD_XDP_SEED repeats it)", seed);
	for (round = 0; round < 4; round++) {
		int nshards = 1 + rnd(&seed) % NSH;
		int key_len = 1 + rnd(&seed) % BERTHA_SHARD_KEY_MAX;
		int key_off = rnd(&seed) % 24;

		ASSERT_EQ(0, configure(self, nshards, key_off, key_len));
		for (i = 0; i < 250; i++) {
			uint8_t msg[128];
			size_t mlen = rnd(&seed) % (key_off + key_len + 40), n, j;
			struct tx t = {
				.ipver = rnd(&seed) & 1 ? 6 : 4,
				.vlans = rnd(&seed) % 3,
			};

			if (t.ipver == 4) {
				t.csum = rnd(&seed) % 4 ? CS_OK : CS_ZERO;
				t.ip_opts = !(rnd(&seed) % 4);
			}
			for (j = 0; j < mlen; j++)
				msg[j] = rnd(&seed);
			n = bertha(self->pl, DATA, rnd(&seed) & 1 ? F_SEQ : 0,
				   rnd(&seed), msg, mlen);
			ASSERT_EQ(0, steer_one(self, &t, self->pl, n))
				TH_LOG("round %d datagram %d", round, i);
		}
	}
	ASSERT_EQ(0, barrier(self));
	EXPECT_TRUE(counters_match(self));
	TH_LOG("steered %llu, short %llu", (unsigned long long)self->want.steered,
	       (unsigned long long)self->want.passed_short);
}

/* Tagged subinterfaces on sv0 for the VLAN addresses. */
static int vlan_setup(void)
{
	char cmd[1024];
	const char *s = topo.server;

	snprintf(cmd, sizeof(cmd),
		 "set -e; "
		 "ip -n %s link add link sv0 name sv0.100 type vlan id 100; "
		 "ip -n %s link add link sv0 name sv0.ad type vlan proto 802.1ad id 200; "
		 "ip -n %s link add link sv0.ad name sv0.ad.300 type vlan id 300; "
		 "ip -n %s addr add 10.78.0.1/24 dev sv0.100; "
		 "ip -n %s addr add fd78::1/64 dev sv0.100 nodad; "
		 "ip -n %s addr add 10.79.0.1/24 dev sv0.ad.300; "
		 "ip -n %s addr add fd79::1/64 dev sv0.ad.300 nodad; "
		 "ip -n %s link set sv0.100 up; ip -n %s link set sv0.ad up; "
		 "ip -n %s link set sv0.ad.300 up",
		 s, s, s, s, s, s, s, s, s, s);
	return netns_sh(cmd);
}

int main(int argc, char **argv)
{
	int rc = netns_setup(&topo, "sx", 1);

	if (rc)
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, NULL);
	if (vlan_setup()) {
		printf("# VLAN devices could not be made\n");
		return KSFT_FAIL;
	}
	return test_harness_run(argc, argv);
}
