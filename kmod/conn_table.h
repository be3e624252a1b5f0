/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: the namespace's table of sockets, for dumps and events.
 */
#ifndef _BERTHA_CONN_TABLE_H
#define _BERTHA_CONN_TABLE_H

#include "bertha.h"

struct netlink_callback;
int bertha_conn_table_reserve(struct bertha_sock *bs);
void bertha_conn_table_publish(struct bertha_sock *bs);
void bertha_conn_table_del(struct bertha_sock *bs);
int bertha_genl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb);
int bertha_addr_put(struct sk_buff *skb, int attr,
		    const struct sockaddr_bertha *a);
void bertha_conn_event(struct bertha_sock *bs, const struct bertha_conn *conn,
		       u8 cmd);

#endif /* _BERTHA_CONN_TABLE_H */
