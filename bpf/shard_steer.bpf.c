// SPDX-License-Identifier: GPL-2.0
/*
 * shard_steer: the XDP implementation of the ``shard`` chunnel's server
 * side. A DATA datagram to a configured listener (canonical address and
 * UDP port) gets the UDP destination port of the shard its key hashes to
 * (kmod/include/bertha/shard.h), with the UDP checksum updated, and goes
 * on up the stack to the shard's socket. Control datagrams, FIN and
 * messages too short for their key reach the canonical port unchanged;
 * datagrams to a listener that bertha would drop anyway are dropped here.
 * Anything else passes untouched.
 *
 * Uapi headers only (no CO-RE): the same object loads on 6.1 and 6.12.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "shard_steer.h"

/* VLAN tags the program looks through (802.1ad outer + 802.1Q inner). */
#define SHARD_STEER_VLAN_MAX	2

/* IPv4 frag_off bits (the kernel's <net/ip.h>, not in uapi) */
#define IP_MF		0x2000
#define IP_OFFSET	0x1fff

/* The verifier-facing masks below need powers of two. */
#if BERTHA_SHARD_MAX & (BERTHA_SHARD_MAX - 1) || \
	BERTHA_SHARD_KEY_MAX & (BERTHA_SHARD_KEY_MAX - 1)
#error "BERTHA_SHARD_MAX and BERTHA_SHARD_KEY_MAX must be powers of two"
#endif

/* <linux/if_vlan.h>'s struct vlan_hdr is kernel-only */
struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SHARD_STEER_LISTENERS_MAX);
	__type(key, struct shard_steer_key);
	__type(value, struct shard_steer_conf);
} listeners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SHARD_STEER_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline int count(__u32 counter, int verdict)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &counter);

	/* per-CPU: no other writer */
	if (c)
		*c += 1;
	return verdict;
}

/* A 16-bit field of a checksummed area changes: RFC 1624, eqn. 3. */
static __always_inline __u16 csum_replace16(__u16 check, __u16 from, __u16 to)
{
	__u32 sum = (__u16)~check + (__u16)~from + (__u32)to;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

SEC("xdp")
int shard_steer(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u8 hdr[BERTHA_SHARD_HDR_LEN + BERTHA_SHARD_SEQ_LEN] = {};
	__u8 kbuf[BERTHA_SHARD_KEY_MAX];
	struct shard_steer_key key = {};
	const struct shard_steer_conf *conf;
	__u32 udp_off, plen, msg_len, klen, nshards, hash, shard, i;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__be16 proto, port;
	void *l3;
	long err;
	int off;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	proto = eth->h_proto;
	l3 = eth + 1;
	for (i = 0; i < SHARD_STEER_VLAN_MAX; i++) {
		struct vlan_tag *tag = l3;

		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(tag + 1) > data_end)
			return XDP_PASS;
		proto = tag->proto;
		l3 = tag + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = l3;

		if ((void *)(iph + 1) > data_end || iph->version != 4 ||
		    iph->ihl < 5 || iph->protocol != IPPROTO_UDP)
			return XDP_PASS;
		/* only a whole datagram has its UDP header and key */
		if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET))
			return count(SHARD_STEER_PASS_OTHER, XDP_PASS);
		udp = l3 + iph->ihl * 4;
		key.ipver = 4;
		__builtin_memcpy(key.addr, &iph->daddr, sizeof(iph->daddr));
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = l3;

		/* extension headers: not parsed, so not known to be UDP */
		if ((void *)(ip6h + 1) > data_end || ip6h->version != 6 ||
		    ip6h->nexthdr != IPPROTO_UDP)
			return XDP_PASS;
		udp = (void *)(ip6h + 1);
		key.ipver = 6;
		__builtin_memcpy(key.addr, &ip6h->daddr, sizeof(ip6h->daddr));
	} else {
		return XDP_PASS;
	}
	if ((void *)(udp + 1) > data_end)
		return count(SHARD_STEER_PASS_OTHER, XDP_PASS);

	key.port = udp->dest;
	conf = bpf_map_lookup_elem(&listeners, &key);
	if (!conf) {
		/* a listener bound to the wildcard address */
		__builtin_memset(key.addr, 0, sizeof(key.addr));
		conf = bpf_map_lookup_elem(&listeners, &key);
	}
	if (!conf)
		return count(SHARD_STEER_PASS_OTHER, XDP_PASS);

	/* Lengths from the UDP header: Ethernet pads short frames. A UDP
	 * length that does not fit is the stack's to drop.
	 */
	udp_off = (void *)udp - data;
	plen = bpf_ntohs(udp->len);
	if (plen < sizeof(*udp) || udp_off + plen > (__u32)(data_end - data))
		return count(SHARD_STEER_PASS_OTHER, XDP_PASS);
	plen -= sizeof(*udp);

	/* bertha_shard_msg_offset() reads nothing of fewer than 8 bytes */
	err = 0;
	if (plen >= sizeof(hdr))
		err = bpf_xdp_load_bytes(ctx, udp_off + sizeof(*udp), hdr, sizeof(hdr));
	else if (plen >= BERTHA_SHARD_HDR_LEN)
		err = bpf_xdp_load_bytes(ctx, udp_off + sizeof(*udp), hdr,
					 BERTHA_SHARD_HDR_LEN);
	if (err)
		return count(SHARD_STEER_PASS_OTHER, XDP_PASS);
	off = bertha_shard_msg_offset(hdr, plen);
	if (off == BERTHA_SHARD_MALFORMED)
		return count(SHARD_STEER_DROP_MALFORMED, XDP_DROP);
	if (off < 0)
		return count(SHARD_STEER_PASS_CONTROL, XDP_PASS);

	nshards = conf->nshards;
	klen = conf->key_len;
	if (nshards < 1 || nshards > BERTHA_SHARD_MAX ||
	    klen < 1 || klen > BERTHA_SHARD_KEY_MAX)
		return count(SHARD_STEER_PASS_OTHER, XDP_PASS);
	msg_len = plen - off;
	if (!bertha_shard_has_key(msg_len, conf->key_off, klen))
		return count(SHARD_STEER_PASS_SHORT, XDP_PASS);
	/* klen is 1 to 16 already; the mask lets the verifier see it */
	barrier_var(klen);
	klen = ((klen - 1) & (BERTHA_SHARD_KEY_MAX - 1)) + 1;
	if (bpf_xdp_load_bytes(ctx, udp_off + sizeof(*udp) + off + conf->key_off,
			       kbuf, klen))
		return count(SHARD_STEER_PASS_OTHER, XDP_PASS);

	/* unrolled: constant stack offsets, which every verifier follows */
	hash = BERTHA_SHARD_FNV_BASIS;
#pragma clang loop unroll(full)
	for (i = 0; i < BERTHA_SHARD_KEY_MAX; i++)
		if (i < klen)
			hash = bertha_shard_fnv1a_step(hash, kbuf[i]);
	shard = bertha_shard_index(hash, nshards);
	/* < nshards <= 16 already: clang knows and would drop a check, so
	 * the mask comes after a barrier for the verifier to see
	 */
	barrier_var(shard);
	shard &= BERTHA_SHARD_MAX - 1;
	port = conf->ports[shard];
	if (!port)
		return count(SHARD_STEER_PASS_OTHER, XDP_PASS);

	/* IPv4 checksum 0 is "none" and stays so; a computed 0 is sent
	 * as 0xffff, its other one's complement form (RFC 768).
	 */
	if (key.ipver == 6 || udp->check) {
		udp->check = csum_replace16(udp->check, udp->dest, port);
		if (!udp->check)
			udp->check = 0xffff;
	}
	udp->dest = port;
	return count(SHARD_STEER_STEERED, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
