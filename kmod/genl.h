/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: the generic netlink family "bertha".
 */
#ifndef _BERTHA_GENL_H
#define _BERTHA_GENL_H

#include "bertha.h"

int bertha_genl_init(void);
void bertha_genl_exit(void);
void bertha_genl_net_exit(struct net *net);
void bertha_genl_impl_event(const struct bertha_chunnel_impl *impl, u8 cmd);
void *bertha_genl_msg_put(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			  u8 cmd);
bool bertha_genl_has_events(struct net *net);
int bertha_genl_chunnel_counters_put(struct sk_buff *skb, int attr,
				     const atomic64_t *cnt);
int bertha_genl_event(struct net *net, struct sk_buff *skb);

/**
 * struct bertha_helper - the helper behind an implementation registered
 *	from userspace
 * @portid: its netlink port id
 * @ifindex: the device it registered the implementation on, or 0
 * @config: its config blob, valid while the implementation is held
 * @config_len: bytes in @config
 */
struct bertha_helper {
	u32 portid;
	u32 ifindex;
	const u8 *config;
	u32 config_len;
};

bool bertha_impl_helper(const struct bertha_chunnel_impl *impl,
			struct bertha_helper *h);

#endif /* _BERTHA_GENL_H */
