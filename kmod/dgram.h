/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: SOCK_DGRAM sockets and their peers.
 */
#ifndef _BERTHA_DGRAM_H
#define _BERTHA_DGRAM_H

#include "bertha.h"

/* Most peers one socket negotiates with at once. */
#define BERTHA_DGRAM_MAX_PEERS	1024

void bertha_dgram_bind(struct bertha_sock *bs);
void bertha_dgram_set_source(struct sk_buff *skb,
			     const struct sockaddr_bertha *from);
void bertha_dgram_source(const struct sk_buff *skb,
			 struct sockaddr_bertha *from);
int bertha_dgram_sendmsg(struct bertha_sock *bs, struct msghdr *msg,
			 size_t len);
int bertha_dgram_hello(struct bertha_sock *bs, struct sk_buff *hello,
		       const struct nlattr **attrs,
		       const struct sockaddr_bertha *from, u32 client_id,
		       u64 cookie);
void bertha_dgram_ctrl_rcv(struct bertha_sock *bs, struct bertha_conn *conn,
			   u8 type, u16 flags, struct sk_buff *skb);
void bertha_dgram_hello_timer(struct bertha_sock *bs);
bool bertha_dgram_unreachable(struct bertha_sock *bs, struct bertha_conn *conn,
			      int err, u8 type, u32 id);
void bertha_dgram_release(struct bertha_sock *bs, struct list_head *dead);
void bertha_dgram_free(struct list_head *dead);
int bertha_dgram_binding(struct bertha_sock *bs, char __user *optval,
			 int __user *optlen, int len);
void bertha_sock_init(struct bertha_sock *bs);

#endif /* _BERTHA_DGRAM_H */
