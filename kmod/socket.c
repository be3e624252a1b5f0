// SPDX-License-Identifier: GPL-2.0
/*
 * AF_BERTHA socket layer: socket creation, release and the proto_ops tables
 * for SOCK_SEQPACKET (connections) and SOCK_DGRAM (many negotiated peers).
 *
 * Operations that the data path does not provide yet answer EOPNOTSUPP
 * through the kernel's sock_no_*() helpers, so applications see a clear
 * "not supported" rather than a silent success.
 */

#include <linux/module.h>
#include <linux/net.h>
#include <net/sock.h>

#include <linux/bertha.h>

#include "bertha.h"

struct proto bertha_proto = {
	.name		= "BERTHA",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct bertha_sock),
};

static int bertha_bind(struct socket *sock, struct sockaddr *uaddr,
		       int addr_len)
{
	const struct sockaddr_bertha *sbe = (const struct sockaddr_bertha *)uaddr;
	struct bertha_sock *bs = bertha_sk(sock->sk);
	int err;

	if (addr_len < (int)sizeof(*sbe))
		return -EINVAL;
	if (sbe->sbe_family != bertha_family())
		return -EAFNOSUPPORT;
	if (sbe->sbe_reserved ||
	    memchr_inv(sbe->sbe_service, 0, sizeof(sbe->sbe_service)))
		return -EINVAL;

	lock_sock(&bs->sk);
	if (bs->udp)
		err = -EINVAL;	/* already bound, as for inet sockets */
	else
		err = bertha_transport_bind(bs, sbe);
	release_sock(&bs->sk);
	return err;
}

static int bertha_getname(struct socket *sock, struct sockaddr *uaddr,
			  int peer)
{
	struct sockaddr_bertha *sbe = (struct sockaddr_bertha *)uaddr;
	struct bertha_sock *bs = bertha_sk(sock->sk);

	if (peer)
		return -ENOTCONN;	/* no connections yet */

	lock_sock(&bs->sk);
	*sbe = bs->local;
	release_sock(&bs->sk);
	sbe->sbe_family = bertha_family();
	return sizeof(*sbe);
}

static int bertha_get_stats(struct bertha_sock *bs, char __user *optval,
			    int __user *optlen, int len)
{
	struct bertha_stats stats = {
		.rx_malformed	= atomic64_read(&bs->rx_malformed),
		.rx_unexpected	= atomic64_read(&bs->rx_unexpected),
	};

	len = min_t(int, len, sizeof(stats));
	if (copy_to_user(optval, &stats, len) || put_user(len, optlen))
		return -EFAULT;
	return 0;
}

static int bertha_setsockopt(struct socket *sock, int level, int optname,
			     sockptr_t optval, unsigned int optlen)
{
	struct bertha_sock *bs = bertha_sk(sock->sk);
	struct bertha_dag *dag;

	if (level != SOL_BERTHA || optname != BERTHA_DAG)
		return -ENOPROTOOPT;

	dag = bertha_dag_from_user(optval, optlen);
	if (IS_ERR(dag))
		return PTR_ERR(dag);

	lock_sock(&bs->sk);
	swap(bs->dag, dag);
	release_sock(&bs->sk);
	kfree(dag);
	return 0;
}

static int bertha_get_dag(struct bertha_sock *bs, char __user *optval,
			  int __user *optlen, int len)
{
	int err = 0;

	lock_sock(&bs->sk);
	if (!bs->dag) {
		err = -ENOENT;
	} else if (len < bs->dag->len) {
		/* Tell the caller how much room the DAG needs. */
		err = put_user(bs->dag->len, optlen) ? -EFAULT : -ERANGE;
	} else if (copy_to_user(optval, bs->dag->blob, bs->dag->len) ||
		   put_user(bs->dag->len, optlen)) {
		err = -EFAULT;
	}
	release_sock(&bs->sk);
	return err;
}

static int bertha_getsockopt(struct socket *sock, int level, int optname,
			     char __user *optval, int __user *optlen)
{
	struct bertha_sock *bs = bertha_sk(sock->sk);
	int len;

	if (level != SOL_BERTHA)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	switch (optname) {
	case BERTHA_DAG:
		return bertha_get_dag(bs, optval, optlen, len);
	case BERTHA_STATS:
		return bertha_get_stats(bs, optval, optlen, len);
	default:
		return -ENOPROTOOPT;
	}
}

static void bertha_destruct(struct sock *sk)
{
	kfree(bertha_sk(sk)->dag);
}

static int bertha_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;

	bertha_transport_release(bertha_sk(sk));
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
	sock_orphan(sk);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

/**
 * bertha_accept() - accept(2) on an AF_BERTHA socket
 * @sock: the listening socket
 * @newsock: the socket the accepted connection would be attached to
 * @flags: O_NONBLOCK and friends from accept4(2)
 * @kern: whether the caller is the kernel
 *
 * Return: -EOPNOTSUPP until connections exist.
 */
int bertha_accept(struct socket *sock, struct socket *newsock, int flags,
		  bool kern)
{
	return -EOPNOTSUPP;
}

/* SEQPACKET and DGRAM share one table until the data path gives them their
 * own connect/accept/sendmsg semantics. The socket core reads the family of
 * a socket from sk->sk_family (set from the module parameter in
 * bertha_create()), never from proto_ops.family, so the default slot here is
 * only informative.
 */
static const struct proto_ops bertha_ops = {
	.family		= BERTHA_AF_DEFAULT,
	.owner		= THIS_MODULE,
	.release	= bertha_release,
	.bind		= bertha_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= bertha_compat_accept,
	.getname	= bertha_getname,
	.ioctl		= sock_no_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.setsockopt	= bertha_setsockopt,
	.getsockopt	= bertha_getsockopt,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
	.mmap		= sock_no_mmap,
};

int bertha_create(struct net *net, struct socket *sock, int protocol,
		  int kern)
{
	struct sock *sk;

	if (protocol)
		return -EPROTONOSUPPORT;

	if (sock->type != SOCK_SEQPACKET && sock->type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;

	sk = sk_alloc(net, bertha_family(), GFP_KERNEL, &bertha_proto, kern);
	if (!sk)
		return -ENOMEM;

	sock->ops = &bertha_ops;
	sock->state = SS_UNCONNECTED;
	sock_init_data(sock, sk);
	sk->sk_destruct = bertha_destruct;
	sock_prot_inuse_add(net, &bertha_proto, 1);
	return 0;
}
