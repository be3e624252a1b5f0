// SPDX-License-Identifier: GPL-2.0
/*
 * bertha.ko: module entry points and the AF_BERTHA family registration.
 *
 * AF_MAX is fixed when the kernel is built, so AF_BERTHA borrows a family
 * slot that no in-tree family registers (BERTHA_AF_DEFAULT); the "family"
 * parameter moves it when that slot is taken on a given system.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/socket.h>
#include <net/sock.h>

#include <linux/bertha.h>

#include "bertha.h"
#include "close.h"
#include "genl.h"
#include "netns.h"
#include "registry.h"
#include "socket.h"
#include "transport.h"

static int family = BERTHA_AF_DEFAULT;
module_param(family, int, 0444);
MODULE_PARM_DESC(family,
		 "address family number of AF_BERTHA (default "
		 __stringify(BERTHA_AF_DEFAULT) "; 19, 22 and 23 are also free in-tree)");

/**
 * bertha_family() - the address family number AF_BERTHA is registered on
 *
 * Return: the value of the "family" module parameter, fixed at load time.
 */
int bertha_family(void)
{
	return family;
}

static struct net_proto_family bertha_net_family = {
	.create	= bertha_create,
	.owner	= THIS_MODULE,
};

static int __init bertha_init(void)
{
	int err;

	/* AF_UNSPEC, AF_UNIX and AF_INET are never free; the rest is checked
	 * by sock_register() itself.
	 */
	if (family <= AF_INET || family >= NPROTO) {
		pr_err("family=%d is not a usable address family slot (%d..%d)\n",
		       family, AF_INET + 1, NPROTO - 1);
		return -EINVAL;
	}

	err = bertha_transport_init();
	if (err)
		return err;
	err = bertha_chunnel_init();
	if (err)
		goto err_transport;
	err = bertha_netns_init();
	if (err)
		goto err_chunnel;
	err = bertha_genl_init();
	if (err)
		goto err_netns;
	err = proto_register(&bertha_proto, 0);
	if (err)
		goto err_genl;

	bertha_net_family.family = family;
	err = sock_register(&bertha_net_family);
	if (err) {
		if (err == -EEXIST)
			pr_err("address family %d is already registered by another module; load bertha with family=N to use a free slot\n",
			       family);
		else
			pr_err("cannot register address family %d: %d\n",
			       family, err);
		goto err_proto;
	}

	pr_info("AF_BERTHA registered as address family %d\n", family);
	return 0;

err_proto:
	proto_unregister(&bertha_proto);
err_genl:
	bertha_genl_exit();
err_netns:
	bertha_netns_exit();
err_chunnel:
	bertha_chunnel_exit();
err_transport:
	bertha_transport_exit();
	return err;
}

static void __exit bertha_exit(void)
{
	/* Sockets pin the module through their ops' owner, so none are left;
	 * ports they dropped may still be closing on the workqueue.
	 */
	sock_unregister(family);
	/* CLOSEs still sent again hold ports: drop them first */
	bertha_close_flush(NULL);
	bertha_transport_exit();
	proto_unregister(&bertha_proto);
	bertha_genl_exit();
	bertha_netns_exit();
	bertha_chunnel_exit();
}

module_init(bertha_init);
module_exit(bertha_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The bertha developers");
MODULE_DESCRIPTION("AF_BERTHA: sockets built from negotiated chunnel DAGs");
MODULE_ALIAS_NETPROTO(BERTHA_AF_DEFAULT);
