/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko internals shared between the files of the data path.
 */
#ifndef _BERTHA_H
#define _BERTHA_H

#include <linux/net.h>
#include <linux/sockptr.h>
#include <net/sock.h>

#include <linux/bertha.h>

#include <bertha/chunnel.h>

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
 * @udp: the kernel UDP socket once bound, or NULL; set under lock_sock()
 * @local: the bound address (port as UDP chose it); under lock_sock()
 * @rx_malformed: datagrams dropped for a bad bertha header
 * @rx_unexpected: well-formed datagrams that matched no connection
 */
struct bertha_sock {
	struct sock sk;
	struct bertha_dag *dag;
	struct socket *udp;
	struct sockaddr_bertha local;
	atomic64_t rx_malformed;
	atomic64_t rx_unexpected;
};

static inline struct bertha_sock *bertha_sk(const struct sock *sk)
{
	return container_of(sk, struct bertha_sock, sk);
}

struct bertha_dag *bertha_dag_from_user(sockptr_t optval, unsigned int optlen);
bool bertha_chunnel_type_known(const char *name);
int bertha_chunnel_init(void);
void bertha_chunnel_exit(void);
int bertha_transport_bind(struct bertha_sock *bs,
			  const struct sockaddr_bertha *sbe);
void bertha_transport_release(struct bertha_sock *bs);

extern struct proto bertha_proto;
int bertha_create(struct net *net, struct socket *sock, int protocol,
		  int kern);

int bertha_family(void);
int bertha_accept(struct socket *sock, struct socket *newsock, int flags,
		  bool kern);

#endif /* _BERTHA_H */
