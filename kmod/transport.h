/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: the UDP tunnel ports and the wire.
 */
#ifndef _BERTHA_TRANSPORT_H
#define _BERTHA_TRANSPORT_H

#include "bertha.h"

int bertha_transport_bind(struct bertha_sock *bs,
			  const struct sockaddr_bertha *sbe);
void bertha_port_put(struct bertha_port *port);
void bertha_port_get(struct bertha_port *port);
int bertha_port_conn_add(struct bertha_port *port, struct bertha_conn *conn);
void bertha_port_conn_del(struct bertha_port *port, struct bertha_conn *conn);
struct bertha_conn *bertha_port_conn_find(struct bertha_port *port, u32 id);
struct sk_buff *bertha_ctrl_alloc(unsigned int size, gfp_t gfp);
int bertha_port_send_version(struct bertha_port *port,
			     const struct sockaddr_bertha *src,
			     const struct sockaddr_bertha *to, u8 version,
			     u8 type, u32 conn_id, u16 flags,
			     struct sk_buff *skb);
int bertha_port_send(struct bertha_port *port,
		     const struct sockaddr_bertha *src,
		     const struct sockaddr_bertha *to, u8 type, u32 conn_id,
		     u16 flags, struct sk_buff *skb);
void bertha_port_send_cookie(struct bertha_port *port,
			     const struct sockaddr_bertha *src,
			     const struct sockaddr_bertha *to, u8 type, u32 id,
			     u16 flags, u64 cookie);
void bertha_skb_source(const struct sk_buff *skb,
		       struct sockaddr_bertha *from);
void bertha_skb_dest(const struct sk_buff *skb, struct sockaddr_bertha *to);
bool bertha_skb_from(const struct sk_buff *skb,
		     const struct sockaddr_bertha *peer);
int bertha_transport_autobind(struct bertha_sock *bs, u16 ip_family);
bool bertha_addr_is_any(const struct sockaddr_bertha *a);
bool bertha_addr_equal(const struct sockaddr_bertha *a,
		       const struct sockaddr_bertha *b);
int bertha_transport_init(void);
void bertha_transport_exit(void);
extern struct workqueue_struct *bertha_wq;
extern u64 bertha_host_id;

#endif /* _BERTHA_TRANSPORT_H */
