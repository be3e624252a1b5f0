/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: keepalive of SOCK_SEQPACKET connections (keepalive.c).
 */
#ifndef _BERTHA_KEEPALIVE_H
#define _BERTHA_KEEPALIVE_H

#include "bertha.h"

void bertha_keepalive_init(struct bertha_sock *bs);
void bertha_keepalive_inherit(struct bertha_sock *child,
			      const struct bertha_sock *listener);
void bertha_keepalive_start(struct bertha_sock *bs);
void bertha_keepalive_stop(struct bertha_sock *bs);
void bertha_keepalive_toggle(struct sock *sk, int on);
int bertha_keepalive_setsockopt(struct bertha_sock *bs, int optname,
				sockptr_t optval, unsigned int optlen);
int bertha_keepalive_getsockopt(struct bertha_sock *bs, int optname,
				char __user *optval, int __user *optlen,
				int len);
void bertha_keepalive_rcv(struct bertha_sock *bs, struct bertha_conn *conn,
			  u16 flags);

#endif /* _BERTHA_KEEPALIVE_H */
