// SPDX-License-Identifier: GPL-2.0
/*
 * Adapters between bertha's internal interfaces and the kernel's, chosen by
 * the feature probes (see compat.h).
 */
#include "../bertha.h"
#include "../socket.h"

#ifdef BERTHA_HAVE_PROTO_ACCEPT_ARG
int bertha_compat_accept(struct socket *sock, struct socket *newsock,
			 struct proto_accept_arg *arg)
{
	return bertha_accept(sock, newsock, arg->flags, arg->kern);
}
#else
int bertha_compat_accept(struct socket *sock, struct socket *newsock,
			 int flags, bool kern)
{
	return bertha_accept(sock, newsock, flags, kern);
}
#endif
