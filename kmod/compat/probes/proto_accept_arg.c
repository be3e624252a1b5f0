// SPDX-License-Identifier: GPL-2.0
/* Probe: does proto_ops->accept() take a struct proto_accept_arg (6.10+)? */
#include <linux/net.h>
#include <net/sock.h>

static int probe_accept(struct socket *sock, struct socket *newsock,
			struct proto_accept_arg *arg)
{
	return arg->flags;
}

const struct proto_ops probe_ops = {
	.accept = probe_accept,
};
