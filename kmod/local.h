/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: the local fast path.
 */
#ifndef _BERTHA_LOCAL_H
#define _BERTHA_LOCAL_H

#include "bertha.h"

struct bertha_shortcut;
void bertha_local_offer(struct bertha_sock *bs, struct bertha_conn *conn);
void bertha_local_join(struct bertha_conn *conn, const struct nlattr **attrs,
		       const struct bertha_binding_set *b);
bool bertha_local_peer_gone(const struct bertha_conn *conn);
int bertha_local_put_accept(struct sk_buff *skb,
			    const struct bertha_conn *conn);
u32 bertha_local_decide(struct bertha_conn *conn, struct sk_buff *skb);
void bertha_local_confirm(struct bertha_conn *conn);
void bertha_local_shutdown(struct bertha_conn *conn, u16 flags);
void bertha_local_close(struct bertha_conn *conn);
void bertha_local_abandon(struct bertha_conn *conn);
int bertha_local_xmit(struct bertha_sock *bs, struct bertha_conn *conn,
		      struct msghdr *msg, size_t len);

#endif /* _BERTHA_LOCAL_H */
