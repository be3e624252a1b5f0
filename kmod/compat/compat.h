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
 * it took the flags and the kern boolean directly. bertha_accept() has the
 * explicit form; bertha_compat_accept() adapts it to the kernel at hand.
 */
#ifdef BERTHA_HAVE_PROTO_ACCEPT_ARG
int bertha_compat_accept(struct socket *sock, struct socket *newsock,
			 struct proto_accept_arg *arg);
#else
int bertha_compat_accept(struct socket *sock, struct socket *newsock,
			 int flags, bool kern);
#endif

#endif /* _BERTHA_COMPAT_H */
