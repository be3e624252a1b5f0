/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: bertha's state of a network namespace.
 */
#ifndef _BERTHA_NETNS_H
#define _BERTHA_NETNS_H

#include "bertha.h"

struct bertha_net *bertha_net(const struct net *net);
void bertha_net_count(const struct net *net, unsigned int stat, u64 n);
int bertha_netns_init(void);
void bertha_netns_exit(void);

#endif /* _BERTHA_NETNS_H */
