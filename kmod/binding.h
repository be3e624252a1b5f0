/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: a connection's binding: its chunnels' ops, called in DAG order.
 */
#ifndef _BERTHA_BINDING_H
#define _BERTHA_BINDING_H

#include "bertha.h"

int bertha_binding_install(struct bertha_binding_set *b,
			   struct bertha_conn *conn, bool initiator,
			   const struct bertha_dag *dag);
void bertha_binding_free(struct bertha_binding_set *b);
void bertha_binding_retire(struct bertha_binding_set *b);
bool bertha_binding_retire_start(struct bertha_binding_set *b);
void bertha_binding_retire_finish(struct bertha_binding_set *b);
int bertha_binding_xmit(struct bertha_conn *conn, struct sk_buff *skb,
			struct sock *from);
int bertha_binding_xmit_local(struct bertha_binding_set *b,
			      struct sk_buff *skb);
int bertha_binding_rcv(struct bertha_conn *conn, struct bertha_binding_set *b,
		       struct sk_buff *skb, u16 flags);
int bertha_binding_rcv_local(struct bertha_binding_set *b, struct sk_buff *skb);
void bertha_binding_ctrl_rcv(struct bertha_conn *conn,
			     struct bertha_binding_set *b, struct sk_buff *skb,
			     u16 flags);
bool bertha_binding_peer_match(struct bertha_conn *conn,
			       const struct sk_buff *skb);
bool bertha_binding_shutdown(struct bertha_binding_set *b);
bool bertha_binding_can_flush(const struct bertha_binding_set *b);
void bertha_binding_flush(struct bertha_binding_set *b, long timeo);
int bertha_binding_accept_put(struct bertha_binding_set *b,
			      unsigned int index, struct sk_buff *skb);
int bertha_binding_info_put(struct bertha_binding_set *b, unsigned int index,
			    struct sk_buff *skb);
int bertha_binding_to_user(const struct bertha_binding_set *b, u32 path,
			   char __user *optval, int __user *optlen, int len);

#endif /* _BERTHA_BINDING_H */
