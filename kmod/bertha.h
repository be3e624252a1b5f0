/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko internals shared between the files of the data path.
 */
#ifndef _BERTHA_H
#define _BERTHA_H

#include <linux/net.h>
#include <linux/sockptr.h>
#include <net/sock.h>

#include "compat/compat.h"

/* The chunnel type whose node branches into alternatives. */
#define BERTHA_SELECT_TYPE	"select"

/**
 * struct bertha_dag - a validated chunnel DAG, as the application set it
 * @len: length of @blob in bytes
 * @blob: the netlink attributes (uapi: enum bertha_dag_attrs)
 */
struct bertha_dag {
	u32 len;
	u8 blob[];
};

/**
 * struct bertha_sock - an AF_BERTHA socket
 * @sk: the generic socket; must stay first so sk_alloc() sizes us right
 * @dag: the chunnel DAG set with BERTHA_DAG, or NULL; under lock_sock()
 */
struct bertha_sock {
	struct sock sk;
	struct bertha_dag *dag;
};

static inline struct bertha_sock *bertha_sk(const struct sock *sk)
{
	return container_of(sk, struct bertha_sock, sk);
}

struct bertha_dag *bertha_dag_from_user(sockptr_t optval, unsigned int optlen);
bool bertha_chunnel_type_known(const char *name);

extern struct proto bertha_proto;
int bertha_create(struct net *net, struct socket *sock, int protocol,
		  int kern);

int bertha_family(void);
int bertha_accept(struct socket *sock, struct socket *newsock, int flags,
		  bool kern);

#endif /* _BERTHA_H */
