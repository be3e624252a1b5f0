/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: connections of SOCK_SEQPACKET sockets and their control datagrams.
 */
#ifndef _BERTHA_CONN_H
#define _BERTHA_CONN_H

#include "bertha.h"

int bertha_conn_connect(struct bertha_sock *bs,
			const struct sockaddr_bertha *addr, int flags);
int bertha_conn_listen(struct bertha_sock *bs, int backlog);
int bertha_conn_accept(struct bertha_sock *bs, struct socket *newsock,
		       int flags);
int bertha_conn_shutdown(struct bertha_sock *bs, int how);
void bertha_conn_release(struct bertha_sock *bs);
u32 bertha_conn_path(const struct bertha_conn *conn);
void bertha_conn_send_cookie(struct bertha_sock *bs, struct bertha_conn *conn,
			     u8 type, u16 flags);
void bertha_sock_shutdown(struct bertha_sock *bs, u8 mask);
void bertha_sock_peer_closed(struct bertha_sock *bs, u16 flags);
void bertha_conn_ctrl_rcv(struct bertha_port *port, struct sk_buff *skb);
struct bertha_sock *bertha_conn_relock(struct bertha_port *port, u32 id,
				       const struct bertha_conn *conn,
				       struct bertha_sock *bs);
bool bertha_conn_unreachable(struct bertha_sock *bs, struct bertha_conn *conn,
			     int err, u8 type, u32 id);
bool bertha_conn_data_rcv(struct bertha_conn *conn, struct sk_buff *skb,
			  u8 type, u16 flags);
int bertha_sock_queue(struct bertha_sock *bs, struct sk_buff *skb);
int bertha_conn_deliver(struct bertha_conn *conn, struct sock *to,
			struct sk_buff *skb);
int bertha_conn_sendmsg(struct bertha_sock *bs, struct msghdr *msg,
			size_t len);
struct sk_buff *bertha_msg_skb(struct sock *sk, struct msghdr *msg,
			       size_t len, int *err);
int bertha_conn_xmit(struct bertha_sock *bs, struct bertha_conn *conn,
		     struct msghdr *msg, size_t len);
void bertha_send_close(struct bertha_sock *bs, struct bertha_conn *conn,
		       u16 flags);
void bertha_count_reject(struct bertha_sock *bs, u32 reason);
int bertha_accept_take(struct bertha_sock *bs, struct bertha_conn *conn,
		       struct sk_buff *skb, struct bertha_dag **dag);
void bertha_count_accept(struct bertha_sock *bs,
			 const struct bertha_binding_set *b);
void bertha_conn_free(struct bertha_port *port, struct bertha_conn *conn);
int bertha_hello_send(struct bertha_sock *bs, struct bertha_conn *conn);
void bertha_ctrl_reply(struct bertha_port *port, const struct sk_buff *hello,
		       const struct sockaddr_bertha *to, u32 conn_id, u8 type,
		       struct sk_buff *payload);

#endif /* _BERTHA_CONN_H */
