// SPDX-License-Identifier: GPL-2.0
/*
 * bertha_test_squatter: holds an address family slot so the selftests can
 * check how bertha.ko reacts when its slot is already taken.
 */
#include <linux/module.h>
#include <linux/net.h>

static int family = 25;
module_param(family, int, 0444);
MODULE_PARM_DESC(family, "address family slot to occupy");

static int squatter_create(struct net *net, struct socket *sock, int protocol,
			   int kern)
{
	return -EPERM;
}

static struct net_proto_family squatter_family = {
	.create	= squatter_create,
	.owner	= THIS_MODULE,
};

static int __init squatter_init(void)
{
	squatter_family.family = family;
	return sock_register(&squatter_family);
}

static void __exit squatter_exit(void)
{
	sock_unregister(family);
}

module_init(squatter_init);
module_exit(squatter_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bertha selftest: occupy an address family slot");
