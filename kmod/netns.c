// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: the operator's negotiation policy, the
 * local fast path switch, the namespace's negotiation counters (what
 * the generic netlink family reports and sets) and its socket table
 * (conn_table.c).
 */
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "bertha.h"
#include "close.h"
#include "genl.h"
#include "netns.h"

static unsigned int bertha_net_id __read_mostly;

/**
 * bertha_net() - bertha's state of a network namespace
 * @net: the namespace
 *
 * Return: the state; valid while @net is.
 */
struct bertha_net *bertha_net(const struct net *net)
{
	return net_generic(net, bertha_net_id);
}

/**
 * bertha_net_count() - add to a counter of a namespace
 * @net: the namespace
 * @stat: &enum bertha_stats_attrs
 * @n: how much
 */
void bertha_net_count(const struct net *net, unsigned int stat, u64 n)
{
	if (!WARN_ON_ONCE(stat > BERTHA_STATS_A_MAX))
		atomic64_add(n, &bertha_net(net)->stats[stat]);
}

static int __net_init bertha_net_init(struct net *net)
{
	struct bertha_net *bn = bertha_net(net);

	bn->policy = BERTHA_POLICY_PREFER_CLIENT;
	bn->local = true;
	bn->setup_timeout_ms = 1000;
	xa_init_flags(&bn->socks, XA_FLAGS_ALLOC1);
	return 0;
}

static void __net_exit bertha_net_exit(struct net *net)
{
	/* Implementations registered from this namespace go with it. */
	bertha_genl_net_exit(net);
	/* CLOSEs still sent again hold ports of this namespace. */
	bertha_close_flush(net);
	/* Every socket held the namespace: the table is empty. */
	WARN_ON_ONCE(!xa_empty(&bertha_net(net)->socks));
	xa_destroy(&bertha_net(net)->socks);
}

static struct pernet_operations bertha_net_ops = {
	.init	= bertha_net_init,
	.exit	= bertha_net_exit,
	.id	= &bertha_net_id,
	.size	= sizeof(struct bertha_net),
};

/**
 * bertha_netns_init() - give every namespace bertha's state
 *
 * Return: 0 or -ENOMEM.
 */
int __init bertha_netns_init(void)
{
	return register_pernet_subsys(&bertha_net_ops);
}

/**
 * bertha_netns_exit() - drop bertha's state from every namespace
 */
void bertha_netns_exit(void)
{
	unregister_pernet_subsys(&bertha_net_ops);
}
