// SPDX-License-Identifier: GPL-2.0
/* Probe: does encap_err_rcv get the errno, port and payload (6.0+ form)? */
#include <net/udp_tunnel.h>

static void probe_err_rcv(struct sock *sk, struct sk_buff *skb, int err,
			  __be16 port, u32 info, u8 *payload)
{
}

const struct udp_tunnel_sock_cfg probe_cfg = {
	.encap_err_rcv = probe_err_rcv,
};
