/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compatibility between the kernels bertha.ko builds for (Debian's 6.1 and
 * 6.12). Every switch below keys on a feature probe compiled against the
 * target kernel (kmod/compat/probes/, results in compat-autoconf.h), never
 * on LINUX_VERSION_CODE: distribution kernels backport features.
 */
#ifndef _BERTHA_COMPAT_H
#define _BERTHA_COMPAT_H

#include <linux/net.h>

#include "compat-autoconf.h"

/*
 * proto_ops->accept() takes a struct proto_accept_arg since 6.10; before,
 * it took the flags and the kern boolean directly. Bertha implements the
 * older, explicit form and this wraps it for the kernel at hand.
 */
#ifdef BERTHA_HAVE_PROTO_ACCEPT_ARG
#define BERTHA_COMPAT_ACCEPT_OP(name, fn)				\
static int name(struct socket *sock, struct socket *newsock,		\
		struct proto_accept_arg *arg)				\
{									\
	return fn(sock, newsock, arg->flags, arg->kern);		\
}
#else
#define BERTHA_COMPAT_ACCEPT_OP(name, fn)				\
static int name(struct socket *sock, struct socket *newsock,		\
		int flags, bool kern)					\
{									\
	return fn(sock, newsock, flags, kern);				\
}
#endif

#endif /* _BERTHA_COMPAT_H */
