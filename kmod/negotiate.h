/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: negotiation: HELLO, ACCEPT, REJECT and the choice.
 */
#ifndef _BERTHA_NEGOTIATE_H
#define _BERTHA_NEGOTIATE_H

#include "bertha.h"

struct bertha_exclusions;

struct sk_buff *bertha_hello_build(struct bertha_sock *bs,
				   const struct bertha_conn *conn);
int bertha_negotiate(struct bertha_sock *listener, struct sk_buff *hello,
		     const struct nlattr **attrs,
		     const struct bertha_exclusions *ex,
		     struct bertha_binding_set **binding,
		     struct bertha_dag **dag);
int bertha_negotiate_setup(struct bertha_sock *listener, struct sk_buff *hello,
			   const struct nlattr **attrs,
			   const struct sockaddr_bertha *from,
			   struct bertha_binding_set **binding,
			   struct bertha_dag **dag, bool *unlocked);
struct sk_buff *bertha_accept_build(const struct bertha_conn *conn,
				    const struct bertha_dag *dag);
struct sk_buff *bertha_reject_build(u64 cookie, u32 reason);
struct sk_buff *bertha_retry_build(u64 cookie, u64 token, gfp_t gfp);
struct sk_buff *bertha_version_refusal(struct sk_buff *skb, u32 *client_id,
				       u8 *version);
int bertha_accept_parse(struct bertha_sock *bs, struct sk_buff *skb,
			struct bertha_binding_set **binding,
			struct bertha_dag **dag, u32 *peer_id);
int bertha_reject_errno(u32 reason);
int bertha_ctrl_parse(struct sk_buff *skb, const struct nlattr **attrs);

#endif /* _BERTHA_NEGOTIATE_H */
