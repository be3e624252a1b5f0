/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: the socket layer (socket.c) and the module (main.c).
 */
#ifndef _BERTHA_SOCKET_H
#define _BERTHA_SOCKET_H

#include "bertha.h"

extern struct proto bertha_proto;
int bertha_create(struct net *net, struct socket *sock, int protocol,
		  int kern);
struct sock *bertha_sock_alloc(struct net *net, int type, bool kern);
int bertha_family(void);
int bertha_accept(struct socket *sock, struct socket *newsock, int flags,
		  bool kern);

#endif /* _BERTHA_SOCKET_H */
