/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: CLOSE retransmitted until acknowledged (close.c).
 */
#ifndef _BERTHA_CLOSE_H
#define _BERTHA_CLOSE_H

#include "bertha.h"

void bertha_close_send(struct bertha_port *port,
		       const struct sockaddr_bertha *src,
		       const struct sockaddr_bertha *peer, u32 id, u16 flags,
		       u64 cookie);
bool bertha_close_ack_rcv(struct bertha_port *port, const struct sk_buff *skb,
			  u32 id, u16 flags, u64 cookie);
bool bertha_close_refused(struct bertha_port *port,
			  const struct sockaddr_bertha *to, u32 id);
void bertha_close_echo(struct bertha_port *port, const struct sk_buff *skb,
		       u32 id, u16 flags, u64 cookie);
void bertha_close_flush(struct net *net);

#endif /* _BERTHA_CLOSE_H */
