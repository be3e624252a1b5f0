// SPDX-License-Identifier: GPL-2.0
/*
 * Transport: each bound AF_BERTHA socket owns a kernel UDP socket in its
 * network namespace, set up with the UDP tunnel API (as WireGuard and VXLAN
 * do), so the wire is ordinary UDP that tcpdump, netem and XDP understand.
 *
 * Datagrams arrive through encap_rcv in softirq context. Until connections
 * exist nothing can match, so each one is classified (malformed or
 * unexpected), counted and dropped; none is ever queued.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/udp_tunnel.h>

#include <linux/bertha.h>

#include "bertha.h"
#include "wire.h"

static int bertha_udp_encap_rcv(struct sock *udp_sk, struct sk_buff *skb)
{
	const struct bertha_wire_hdr *hdr;
	struct bertha_sock *bs;

	/* The UDP receive path holds rcu_read_lock(). */
	bs = rcu_dereference_sk_user_data(udp_sk);
	if (!bs)
		goto out;

	if (!pskb_may_pull(skb, sizeof(struct udphdr) + sizeof(*hdr))) {
		atomic64_inc(&bs->rx_malformed);
		goto out;
	}
	hdr = (const struct bertha_wire_hdr *)(udp_hdr(skb) + 1);
	if (hdr->version != BERTHA_WIRE_VERSION || !hdr->type ||
	    hdr->type > BERTHA_WIRE_TYPE_MAX) {
		atomic64_inc(&bs->rx_malformed);
		goto out;
	}
	/* No connection table yet: nothing well-formed can match. */
	atomic64_inc(&bs->rx_unexpected);
out:
	kfree_skb(skb);
	return 0;	/* consumed: never queued on the kernel socket */
}

static int bertha_addr_to_cfg(const struct sockaddr_bertha *sbe,
			      struct udp_port_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->local_udp_port = sbe->sbe_port;
	switch (sbe->sbe_ip_family) {
	case AF_INET:
		cfg->family = AF_INET;
		cfg->local_ip.s_addr = sbe->sbe_addr.v4;
		return 0;
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6:
		cfg->family = AF_INET6;
		memcpy(&cfg->local_ip6, sbe->sbe_addr.v6, sizeof(cfg->local_ip6));
		cfg->ipv6_v6only = 1;
		cfg->use_udp6_tx_checksums = 1;
		cfg->use_udp6_rx_checksums = 1;
		if (ipv6_addr_type(&cfg->local_ip6) & IPV6_ADDR_LINKLOCAL)
			cfg->bind_ifindex = sbe->sbe_scope_id;
		return 0;
#endif
	default:
		return -EAFNOSUPPORT;
	}
}

/**
 * bertha_transport_bind() - give a socket its UDP port
 * @bs: the socket, locked by the caller, not yet bound
 * @sbe: the validated local address
 *
 * Return: 0, or the error of creating the UDP socket (-EADDRINUSE,
 * -EADDRNOTAVAIL, -EAFNOSUPPORT, -ENOMEM, ...).
 */
int bertha_transport_bind(struct bertha_sock *bs,
			  const struct sockaddr_bertha *sbe)
{
	struct udp_tunnel_sock_cfg tunnel = {
		.sk_user_data	= bs,
		.encap_type	= 1,
		.encap_rcv	= bertha_udp_encap_rcv,
	};
	struct udp_port_cfg cfg;
	struct socket *udp;
	int err;

	err = bertha_addr_to_cfg(sbe, &cfg);
	if (err)
		return err;
	err = udp_sock_create(sock_net(&bs->sk), &cfg, &udp);
	if (err)
		return err;
	setup_udp_tunnel_sock(sock_net(&bs->sk), udp, &tunnel);

	bs->local = *sbe;
	/* Port 0 asked for any free port: report the one UDP picked. */
	bs->local.sbe_port = inet_sk(udp->sk)->inet_sport;
	bs->udp = udp;
	return 0;
}

/**
 * bertha_transport_release() - close a socket's UDP port, if it has one
 * @bs: the socket being released
 *
 * After this returns, encap_rcv no longer runs for @bs.
 */
void bertha_transport_release(struct bertha_sock *bs)
{
	if (!bs->udp)
		return;
	udp_tunnel_sock_release(bs->udp);	/* waits for RCU readers */
	bs->udp = NULL;
}
