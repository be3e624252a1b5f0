/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: the registry of chunnel types and implementations (chunnel.c).
 */
#ifndef _BERTHA_REGISTRY_H
#define _BERTHA_REGISTRY_H

#include "bertha.h"

bool bertha_chunnel_type_known(const struct net *net, const char *name);
unsigned int bertha_chunnel_list(const struct net *net, const char *type,
				 struct bertha_impl_info *info,
				 unsigned int max);
struct bertha_chunnel_impl *bertha_chunnel_hold(const struct net *net,
						const char *type,
						const char *name);
void bertha_chunnel_put(struct bertha_chunnel_impl *impl);
int bertha_chunnel_hello_put(const struct net *net, const char *type,
			     const char *name, struct sk_buff *skb);
void bertha_chunnel_retire(struct bertha_chunnel_impl *impl);
int bertha_chunnel_disable(const struct net *net, const char *type,
			   const char *name, bool disable);
bool bertha_chunnel_disabled(const struct net *net,
			     const struct bertha_chunnel_impl *impl);
int bertha_chunnel_walk(const struct net *net, unsigned int skip,
			int (*fn)(const struct bertha_chunnel_impl *impl,
				  void *arg),
			void *arg);
bool bertha_chunnel_type_request(const struct net *net, const char *name);
struct bertha_chunnel_type *bertha_chunnel_type_get(const char *name);
u32 bertha_chunnel_type_flags(const char *name);
void bertha_chunnel_type_put(const struct bertha_chunnel_type *t);
int bertha_chunnel_check_args(const char *type, const struct nlattr *args,
			      struct netlink_ext_ack *extack, u32 *flags);
void bertha_chunnel_sock_bind(struct bertha_sock *bs);
void bertha_chunnel_sock_dag(struct bertha_sock *bs);
void bertha_chunnel_sock_release(struct bertha_sock *bs);
int bertha_chunnel_sock_sendmsg(struct bertha_sock *bs, struct msghdr *msg,
				size_t len);
bool bertha_chunnel_port_rcv(struct bertha_port *port, struct sk_buff *skb,
			     u32 conn_id, u16 flags);
int bertha_chunnel_counters_walk(int (*fn)(const char *type,
					   const struct bertha_chunnel_counter *c,
					   unsigned int slot, bool first,
					   void *arg),
				 void *arg);
void bertha_chunnel_legacy_net(struct bertha_net *bn, u64 *val);
void bertha_chunnel_legacy_sock(struct bertha_sock *bs, struct bertha_stats *st);
int bertha_chunnel_init(void);
void bertha_chunnel_exit(void);

#endif /* _BERTHA_REGISTRY_H */
