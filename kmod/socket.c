// SPDX-License-Identifier: GPL-2.0
/*
 * AF_BERTHA socket layer: socket creation, release and the proto_ops tables
 * for SOCK_SEQPACKET (connections) and SOCK_DGRAM (many negotiated peers).
 * Connection state lives in conn.c; this file checks arguments, moves data
 * between the socket's queues and the application, and reports state.
 *
 * Operations that the data path does not provide yet answer EOPNOTSUPP
 * through the kernel's sock_no_*() helpers, so applications see a clear
 * "not supported" rather than a silent success.
 */

#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sockios.h>
#include <linux/termios.h>
#include <net/sock.h>

#include <linux/bertha.h>

#include "bertha.h"
#include "binding.h"
#include "conn.h"
#include "conn_table.h"
#include "dag.h"
#include "dgram.h"
#include "keepalive.h"
#include "registry.h"
#include "socket.h"
#include "transport.h"

struct proto bertha_proto = {
	.name		= "BERTHA",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct bertha_sock),
	.keepalive	= bertha_keepalive_toggle,
};

/* The checks bind(2) and connect(2) share. */
static int bertha_addr_check(const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_bertha *sbe = (const struct sockaddr_bertha *)uaddr;

	if (addr_len < (int)sizeof(*sbe))
		return -EINVAL;
	if (sbe->sbe_family != bertha_family())
		return -EAFNOSUPPORT;
	if (sbe->sbe_ip_family != AF_INET && sbe->sbe_ip_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (sbe->sbe_reserved ||
	    memchr_inv(sbe->sbe_service, 0, sizeof(sbe->sbe_service)))
		return -EINVAL;
	return 0;
}

static int bertha_bind(struct socket *sock, struct sockaddr *uaddr,
		       int addr_len)
{
	struct bertha_sock *bs = bertha_sk(sock->sk);
	int err;

	err = bertha_addr_check(uaddr, addr_len);
	if (err)
		return err;

	lock_sock(&bs->sk);
	if (bs->port)
		err = -EINVAL;	/* already bound, as for inet sockets */
	else
		err = bertha_transport_bind(bs,
					    (const struct sockaddr_bertha *)uaddr);
	if (!err && sock->type == SOCK_DGRAM)
		bertha_dgram_bind(bs);
	release_sock(&bs->sk);
	return err;
}

static int bertha_connect(struct socket *sock, struct sockaddr *uaddr,
			  int addr_len, int flags)
{
	struct sockaddr_bertha peer;
	int err;

	err = bertha_addr_check(uaddr, addr_len);
	if (err)
		return err;
	memcpy(&peer, uaddr, sizeof(peer));
	err = bertha_conn_connect(bertha_sk(sock->sk), &peer, flags);
	if (!err)
		sock->state = SS_CONNECTED;
	return err;
}

static int bertha_listen(struct socket *sock, int backlog)
{
	return bertha_conn_listen(bertha_sk(sock->sk), backlog);
}

static int bertha_shutdown(struct socket *sock, int how)
{
	return bertha_conn_shutdown(bertha_sk(sock->sk), how);
}

static int bertha_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	/* A connected socket's peer is fixed; an address is ignored, as
	 * AF_UNIX SOCK_SEQPACKET does.
	 */
	return bertha_conn_sendmsg(bertha_sk(sock->sk), msg, len);
}

static int bertha_dgram_sendmsg_op(struct socket *sock, struct msghdr *msg,
				   size_t len)
{
	struct sockaddr_bertha peer;
	int err;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (!msg->msg_name)
		return -EDESTADDRREQ;
	err = bertha_addr_check(msg->msg_name, msg->msg_namelen);
	if (err)
		return err;
	memcpy(&peer, msg->msg_name, sizeof(peer));
	msg->msg_name = &peer;
	return bertha_dgram_sendmsg(bertha_sk(sock->sk), msg, len);
}

/*
 * End of stream reads 0 whether or not the reader would have waited, as
 * unix_dgram_recvmsg() does for SOCK_SEQPACKET: an event loop that saw
 * EPOLLRDHUP must not get EAGAIN forever. A message queued after the
 * shutdown was seen is not hidden by it.
 */
static int bertha_recv_eof(struct sock *sk, int err)
{
	if (err == -EAGAIN &&
	    (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) &&
	    skb_queue_empty_lockless(&sk->sk_receive_queue))
		return 0;
	return err;
}

static int bertha_recvmsg(struct socket *sock, struct msghdr *msg,
			  size_t size, int flags)
{
	DECLARE_SOCKADDR(struct sockaddr_bertha *, from, msg->msg_name);
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	int err, copied;

	if (flags & (MSG_OOB | MSG_ERRQUEUE))
		return -EOPNOTSUPP;
	if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
		return -ENOTCONN;	/* as AF_UNIX and TCP */
	if (sk->sk_type == SOCK_SEQPACKET &&
	    READ_ONCE(sk->sk_state) != TCP_ESTABLISHED &&
	    skb_queue_empty_lockless(&sk->sk_receive_queue))
		return -ENOTCONN;

	/* Waits as SO_RCVTIMEO, MSG_DONTWAIT and signals say; returns NULL
	 * with err 0 at end of stream (shutdown by either end) when it
	 * waited, and -EAGAIN when it did not.
	 */
	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return bertha_recv_eof(sk, err);
	copied = skb->len;
	if (copied > size) {
		copied = size;
		msg->msg_flags |= MSG_TRUNC;
	}
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (!err)
		err = flags & MSG_TRUNC ? skb->len : copied;
	if (from && sk->sk_type == SOCK_DGRAM) {
		bertha_dgram_source(skb, from);
		msg->msg_namelen = sizeof(*from);
	}
	skb_free_datagram(sk, skb);
	return err;
}

/*
 * FIONREAD (SIOCINQ) and SIOCOUTQ, answered as AF_UNIX answers them: the
 * bytes of every queued message of a SOCK_SEQPACKET socket, of the next
 * one of a SOCK_DGRAM socket; the bytes charged to the send buffer (on the
 * local path a message stays charged until its reader takes it).
 */
static int bertha_ioctl(struct socket *sock, unsigned int cmd,
			unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	unsigned long flags;
	int amount = 0;

	if (cmd == SIOCOUTQ)
		return put_user(sk_wmem_alloc_get(sk), (int __user *)arg);
	if (cmd != SIOCINQ)
		return -ENOIOCTLCMD;
	if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
		return -EINVAL;
	spin_lock_irqsave(&sk->sk_receive_queue.lock, flags);
	if (sk->sk_type == SOCK_SEQPACKET) {
		skb_queue_walk(&sk->sk_receive_queue, skb)
			amount += skb->len;
	} else {
		skb = skb_peek(&sk->sk_receive_queue);
		amount = skb ? skb->len : 0;
	}
	spin_unlock_irqrestore(&sk->sk_receive_queue.lock, flags);
	return put_user(amount, (int __user *)arg);
}

static __poll_t bertha_poll(struct file *file, struct socket *sock,
			    poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct bertha_sock *bs = bertha_sk(sk);
	__poll_t mask = 0;
	u8 shutdown;
	int state;

	sock_poll_wait(file, sock, wait);
	state = READ_ONCE(sk->sk_state);
	if (state == TCP_LISTEN)
		return READ_ONCE(sk->sk_ack_backlog) ? EPOLLIN | EPOLLRDNORM : 0;

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
	if (shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	if (!skb_queue_empty_lockless(&sk->sk_receive_queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (sk->sk_type == SOCK_SEQPACKET) {
		if (state == TCP_SYN_SENT)
			return mask;
		/* never connected, or the attempt failed */
		if (state == TCP_CLOSE && !READ_ONCE(bs->conn))
			mask |= EPOLLHUP;
	}
	if (sock_writeable(sk))
		mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	else
		sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
	return mask;
}

static int bertha_getname(struct socket *sock, struct sockaddr *uaddr,
			  int peer)
{
	struct sockaddr_bertha *sbe = (struct sockaddr_bertha *)uaddr;
	struct bertha_sock *bs = bertha_sk(sock->sk);
	int err = sizeof(*sbe);

	lock_sock(&bs->sk);
	if (peer && (!bs->conn || bs->sk.sk_state != TCP_ESTABLISHED))
		err = -ENOTCONN;
	else if (peer)
		*sbe = bs->conn->peer;
	else if (bs->conn && bs->conn->local.sbe_port)
		*sbe = bs->conn->local;	/* an accepted socket's own address */
	else if (bs->port)
		*sbe = bs->port->local;
	else
		memset(sbe, 0, sizeof(*sbe));
	release_sock(&bs->sk);
	sbe->sbe_family = bertha_family();
	return err;
}

static int bertha_get_stats(struct bertha_sock *bs, char __user *optval,
			    int __user *optlen, int len)
{
	const struct bertha_counters *c = &bs->cnt;
	struct bertha_stats stats = {
		.rx_dropped		= atomic64_read(&c->rx_dropped),
		.tx_messages		= atomic64_read(&c->tx_messages),
		.rx_messages		= atomic64_read(&c->rx_messages),
		.hello_sent		= atomic64_read(&c->hello_sent),
		.hello_retransmits	= atomic64_read(&c->hello_retransmits),
		.hello_received		= atomic64_read(&c->hello_received),
		.hello_duplicate	= atomic64_read(&c->hello_duplicate),
		.hello_backlog_drops	= atomic64_read(&c->hello_backlog_drops),
		.negotiations_accepted	= atomic64_read(&c->accepted),
		.negotiations_rejected	= atomic64_read(&c->rejected),
		.fallbacks		= atomic64_read(&c->fallbacks),
		.last_reject_reason	= atomic_read(&c->last_reject_reason),
		.icmp_errors		= atomic64_read(&c->icmp_errors),
		.retry_sent		= atomic64_read(&c->retry_sent),
		.retry_received		= atomic64_read(&c->retry_received),
		.keepalive_probes	= atomic64_read(&c->keepalive_probes),
		.keepalive_timeouts	= atomic64_read(&c->keepalive_timeouts),
		.handshake_aborts	= atomic64_read(&c->handshake_aborts),
	};
	int i;

	bertha_chunnel_legacy_sock(bs, &stats);
	for (i = 0; i <= BERTHA_REJECT_MAX; i++)
		stats.rejected[i] = atomic64_read(&c->rejected_by[i]);
	lock_sock(&bs->sk);
	if (bs->port) {
		stats.rx_malformed = atomic64_read(&bs->port->rx_malformed);
		stats.rx_unexpected = atomic64_read(&bs->port->rx_unexpected);
		stats.rx_spoofed = atomic64_read(&bs->port->rx_spoofed);
		stats.rx_bad_version =
			atomic64_read(&bs->port->rx_bad_version);
		if (READ_ONCE(bs->port->listener) == bs)
			stats.retry_sent +=
				atomic64_read(&bs->port->retry_sent);
	}
	release_sock(&bs->sk);

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

	if (level != SOL_BERTHA)
		return -ENOPROTOOPT;
	switch (optname) {
	case BERTHA_DAG:
		break;
	case BERTHA_KEEPIDLE:
	case BERTHA_KEEPINTVL:
	case BERTHA_KEEPCNT:
		return bertha_keepalive_setsockopt(bs, optname, optval, optlen);
	default:
		return -ENOPROTOOPT;
	}

	dag = bertha_dag_from_user(sock_net(sock->sk), optval, optlen);
	if (IS_ERR(dag))
		return PTR_ERR(dag);

	lock_sock(&bs->sk);
	/* Negotiation read it: it stays what the peer agreed to. */
	if (bs->conn) {
		release_sock(&bs->sk);
		kfree(dag);
		return -EISCONN;
	}
	swap(bs->dag, dag);
	if (bs->sk.sk_type == SOCK_DGRAM && bs->port)
		bertha_chunnel_sock_dag(bs);
	release_sock(&bs->sk);
	kfree(dag);
	return 0;
}

static int bertha_get_binding(struct bertha_sock *bs, char __user *optval,
			      int __user *optlen, int len)
{
	int err;

	if (bs->sk.sk_type == SOCK_DGRAM)
		return bertha_dgram_binding(bs, optval, optlen, len);
	lock_sock(&bs->sk);
	if (bs->sk.sk_state != TCP_ESTABLISHED || !bs->conn ||
	    !bs->conn->binding)
		err = -ENOTCONN;
	else
		err = bertha_binding_to_user(bs->conn->binding,
					     bertha_conn_path(bs->conn),
					     optval, optlen, len);
	release_sock(&bs->sk);
	return err;
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
	case BERTHA_BINDING:
		return bertha_get_binding(bs, optval, optlen, len);
	case BERTHA_KEEPIDLE:
	case BERTHA_KEEPINTVL:
	case BERTHA_KEEPCNT:
		return bertha_keepalive_getsockopt(bs, optname, optval, optlen,
						   len);
	default:
		return -ENOPROTOOPT;
	}
}

/* Runs after the last reference, possibly in softirq (SOCK_RCU_FREE). */
static void bertha_destruct(struct sock *sk)
{
	skb_queue_purge(&sk->sk_receive_queue);
	kfree(bertha_sk(sk)->dag);
}

static int bertha_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;

	bertha_conn_release(bertha_sk(sk));
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
 * Return: 0, or see bertha_conn_accept().
 */
int bertha_accept(struct socket *sock, struct socket *newsock, int flags,
		  bool kern)
{
	return bertha_conn_accept(bertha_sk(sock->sk), newsock, flags);
}

/* The socket core reads the family of a socket from sk->sk_family (set
 * from the module parameter in bertha_sock_alloc()), never from
 * proto_ops.family, so the default slot here is only informative.
 */
static const struct proto_ops bertha_seqpacket_ops = {
	.family		= BERTHA_AF_DEFAULT,
	.owner		= THIS_MODULE,
	.release	= bertha_release,
	.bind		= bertha_bind,
	.connect	= bertha_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= bertha_compat_accept,
	.getname	= bertha_getname,
	.poll		= bertha_poll,
	.ioctl		= bertha_ioctl,
	.listen		= bertha_listen,
	.shutdown	= bertha_shutdown,
	.setsockopt	= bertha_setsockopt,
	.getsockopt	= bertha_getsockopt,
	.sendmsg	= bertha_sendmsg,
	.recvmsg	= bertha_recvmsg,
	.mmap		= sock_no_mmap,
};

/* SOCK_DGRAM: sendto/recvfrom with many peers, each negotiated on first
 * contact (dgram.c); no connect, listen or accept.
 */
static const struct proto_ops bertha_dgram_ops = {
	.family		= BERTHA_AF_DEFAULT,
	.owner		= THIS_MODULE,
	.release	= bertha_release,
	.bind		= bertha_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= bertha_getname,
	.poll		= bertha_poll,
	.ioctl		= bertha_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.setsockopt	= bertha_setsockopt,
	.getsockopt	= bertha_getsockopt,
	.sendmsg	= bertha_dgram_sendmsg_op,
	.recvmsg	= bertha_recvmsg,
	.mmap		= sock_no_mmap,
};

/**
 * bertha_sock_alloc() - a new AF_BERTHA sock, counted in /proc/net/protocols
 * @net: its namespace
 * @type: SOCK_SEQPACKET or SOCK_DGRAM
 * @kern: whether the kernel owns it
 *
 * Return: the sock, not yet attached to a struct socket, or NULL.
 */
struct sock *bertha_sock_alloc(struct net *net, int type, bool kern)
{
	struct sock *sk;

	sk = sk_alloc(net, bertha_family(), GFP_KERNEL, &bertha_proto, kern);
	if (!sk)
		return NULL;
	sock_init_data(NULL, sk);
	sk->sk_type = type;
	sk->sk_destruct = bertha_destruct;
	bertha_sock_init(bertha_sk(sk));
	if (bertha_conn_table_reserve(bertha_sk(sk))) {
		sk_free(sk);
		return NULL;
	}
	sock_prot_inuse_add(net, &bertha_proto, 1);
	return sk;
}

int bertha_create(struct net *net, struct socket *sock, int protocol,
		  int kern)
{
	struct sock *sk;

	if (protocol)
		return -EPROTONOSUPPORT;

	if (sock->type != SOCK_SEQPACKET && sock->type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;

	sk = bertha_sock_alloc(net, sock->type, kern);
	if (!sk)
		return -ENOMEM;

	sock->ops = sock->type == SOCK_SEQPACKET ? &bertha_seqpacket_ops :
						   &bertha_dgram_ops;
	sock->state = SS_UNCONNECTED;
	sock_graft(sk, sock);
	bertha_conn_table_publish(bertha_sk(sk));
	return 0;
}
