/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko internals shared between the files of the data path.
 */
#ifndef _BERTHA_H
#define _BERTHA_H

#include <linux/net.h>
#include <net/sock.h>

#include "compat/compat.h"

/**
 * struct bertha_sock - an AF_BERTHA socket
 * @sk: the generic socket; must stay first so sk_alloc() sizes us right
 */
struct bertha_sock {
	struct sock sk;
};

extern struct proto bertha_proto;
int bertha_create(struct net *net, struct socket *sock, int protocol,
		  int kern);

int bertha_family(void);
int bertha_accept(struct socket *sock, struct socket *newsock, int flags,
		  bool kern);

#endif /* _BERTHA_H */
