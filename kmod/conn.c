// SPDX-License-Identifier: GPL-2.0
/*
 * Connections of SOCK_SEQPACKET sockets: the client's connect and HELLO
 * retransmission, the listener's accept queue, and the control datagrams
 * that move a connection between states. sk_state uses the TCP names:
 *
 *   CLOSE --connect--> SYN_SENT --ACCEPT--> ESTABLISHED
 *                        |  \--REJECT or no answer--> CLOSE (sk_err set)
 *   CLOSE --listen--> LISTEN; a HELLO that negotiates creates an
 *   ESTABLISHED child on the listener's accept queue
 *
 * Control datagrams arrive here from the port's work item (process
 * context); DATA arrives in softirq through bertha_conn_data_rcv().
 */
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/netlink.h>

#include "bertha.h"
#include "binding.h"
#include "close.h"
#include "conn.h"
#include "conn_table.h"
#include "dgram.h"
#include "keepalive.h"
#include "local.h"
#include "negotiate.h"
#include "netns.h"
#include "retry.h"
#include "setup.h"
#include "socket.h"
#include "transport.h"
#include "wire.h"

static void bertha_hello_timer(struct work_struct *work);

/**
 * bertha_sock_init() - initialise the bertha part of a new socket
 * @bs: the socket
 */
void bertha_sock_init(struct bertha_sock *bs)
{
	INIT_LIST_HEAD(&bs->accept_queue);
	INIT_LIST_HEAD(&bs->accept_node);
	INIT_LIST_HEAD(&bs->peers);
	INIT_DELAYED_WORK(&bs->hello_work, bertha_hello_timer);
	bertha_keepalive_init(bs);
	spin_lock_init(&bs->shutdown_lock);
	/* Softirq finds sockets through RCU lookups of their connections. */
	sock_set_flag(&bs->sk, SOCK_RCU_FREE);
}

/**
 * bertha_send_close() - tell a peer the connection is closing
 * @bs: the socket
 * @conn: the negotiated connection
 * @flags: %BERTHA_CLOSE_F_WRITE for a shutdown of the sending side only
 *
 * It carries the connection's cookie, without which the peer ignores it,
 * and is sent again until the peer echoes it (close.c).
 */
void bertha_send_close(struct bertha_sock *bs, struct bertha_conn *conn,
		       u16 flags)
{
	if (conn->path == BERTHA_PATH_LOCAL) {
		bertha_local_shutdown(conn, flags);
		return;
	}
	/* a chunnel that orders the end of stream after its messages */
	if ((flags & BERTHA_CLOSE_F_WRITE) && conn->binding &&
	    bertha_binding_shutdown(conn->binding))
		return;
	/* its port may be closed by now: it would never echo */
	if (conn->peer_closed)
		return;
	bertha_close_send(bs->port, &conn->local, &conn->peer, conn->peer_id,
			  flags, conn->cookie);
}

/*
 * The client gives up a handshake (it timed out, or the socket closed):
 * the listener may have made the connection, its ACCEPT lost, and would
 * keep it in its accept queue for nobody. Abort it there.
 */
static void bertha_handshake_abort(struct bertha_sock *bs,
				   struct bertha_conn *conn)
{
	if (!conn || conn->binding || !bs->hello_tries)
		return;
	bertha_close_send(bs->port, &conn->local, &conn->peer, conn->id,
			  BERTHA_CLOSE_F_ABORT | BERTHA_CLOSE_F_RESET,
			  conn->cookie);
}

/**
 * bertha_conn_send_cookie() - send the peer a datagram whose payload is
 *	the connection's cookie (CLOSE, KEEPALIVE)
 * @bs: the socket
 * @conn: the negotiated connection
 * @type: &enum bertha_wire_type
 * @flags: per-type flags
 */
void bertha_conn_send_cookie(struct bertha_sock *bs, struct bertha_conn *conn,
			     u8 type, u16 flags)
{
	bertha_port_send_cookie(bs->port, &conn->local, &conn->peer, type,
				conn->peer_id, flags, conn->cookie);
}

/*
 * Does a CLOSE or chunnel control payload (@skb at it) start with the
 * connection's cookie? An off-path sender that guessed a connection id
 * does not know it: the caller counts (rx_spoofed) and drops the datagram.
 */
static bool bertha_wire_cookie_ok(struct sk_buff *skb,
				  const struct bertha_conn *conn)
{
	__be64 cookie;

	if (!pskb_may_pull(skb, sizeof(cookie)))
		return false;
	memcpy(&cookie, skb->data, sizeof(cookie));
	return be64_to_cpu(cookie) == conn->cookie;
}

/* A handshake answer carries the HELLO's cookie as an attribute. */
static bool bertha_answer_cookie_ok(const struct sk_buff *skb,
				    const struct bertha_conn *conn)
{
	unsigned int off = sizeof(struct udphdr) +
			   sizeof(struct bertha_wire_hdr);
	const struct nlattr *nla;
	u64 cookie;

	nla = nla_find((const void *)skb->data + off, skb->len - off,
		       BERTHA_WIRE_A_COOKIE);
	if (!nla || nla_len(nla) != sizeof(cookie))
		return false;
	memcpy(&cookie, nla_data(nla), sizeof(cookie));
	return cookie == conn->cookie;
}

/* Count a datagram with a connection's id and peer but not its cookie. */
static void bertha_wire_spoofed(struct bertha_sock *bs)
{
	atomic64_inc(&bs->port->rx_spoofed);
	bertha_net_count(sock_net(&bs->sk), BERTHA_STATS_A_RX_SPOOFED, 1);
}

/**
 * bertha_count_reject() - count a refused negotiation
 * @bs: the socket that refused or was refused
 * @reason: &enum bertha_reject_reason
 */
void bertha_count_reject(struct bertha_sock *bs, u32 reason)
{
	static const u8 net_stat[] = {
		[BERTHA_REJECT_NOT_LISTENING] =
			BERTHA_STATS_A_REJECTED_NOT_LISTENING,
		[BERTHA_REJECT_MALFORMED] = BERTHA_STATS_A_REJECTED_MALFORMED,
		[BERTHA_REJECT_DAG_MISMATCH] =
			BERTHA_STATS_A_REJECTED_DAG_MISMATCH,
		[BERTHA_REJECT_NO_IMPLEMENTATION] =
			BERTHA_STATS_A_REJECTED_NO_IMPLEMENTATION,
		[BERTHA_REJECT_VERSION] = BERTHA_STATS_A_REJECTED_VERSION,
	};
	const struct net *net = sock_net(&bs->sk);

	atomic64_inc(&bs->cnt.rejected);
	atomic64_inc(&bs->cnt.rejected_by[reason]);
	atomic_set(&bs->cnt.last_reject_reason, reason);
	bertha_net_count(net, BERTHA_STATS_A_REJECTED, 1);
	if (reason < ARRAY_SIZE(net_stat) && net_stat[reason])
		bertha_net_count(net, net_stat[reason], 1);
}

/**
 * bertha_count_accept() - count a negotiation that made a connection
 * @bs: the socket at this end that negotiated it
 * @b: the binding it got
 */
void bertha_count_accept(struct bertha_sock *bs,
			 const struct bertha_binding_set *b)
{
	const struct net *net = sock_net(&bs->sk);

	atomic64_inc(&bs->cnt.accepted);
	atomic64_add(b->fallbacks, &bs->cnt.fallbacks);
	bertha_net_count(net, BERTHA_STATS_A_ACCEPTED, 1);
	bertha_net_count(net, BERTHA_STATS_A_FALLBACKS, b->fallbacks);
}

/**
 * bertha_conn_free() - withdraw a connection's id and free it
 * @port: its port
 * @conn: the connection, no longer referenced by its socket
 *
 * Context: process context; see bertha_binding_retire().
 */
void bertha_conn_free(struct bertha_port *port, struct bertha_conn *conn)
{
	if (conn->binding)
		bertha_conn_event(conn->bs, conn, BERTHA_CMD_CONN_CLOSED_NTF);
	bertha_local_close(conn);
	bertha_port_conn_del(port, conn);
	bertha_binding_retire(conn->binding);
	kfree_rcu(conn, rcu);
}

static void bertha_connect_failed(struct bertha_sock *bs, int err)
{
	struct sock *sk = &bs->sk;
	struct bertha_conn *conn = bs->conn;

	bs->conn = NULL;
	if (conn)
		bertha_conn_free(bs->port, conn);
	WRITE_ONCE(sk->sk_err, -err);
	sk->sk_state = TCP_CLOSE;
	sk_error_report(sk);
	sk->sk_state_change(sk);
}

/**
 * bertha_hello_send() - send (again) the HELLO of a connection
 * @bs: the socket, locked
 * @conn: the connection being negotiated
 *
 * Return: 0, -ENOMEM (the retransmission tries again) or a routing error.
 */
int bertha_hello_send(struct bertha_sock *bs, struct bertha_conn *conn)
{
	struct sk_buff *skb = bertha_hello_build(bs, conn);

	if (!skb)
		return -ENOMEM;
	atomic64_inc(&bs->cnt.hello_sent);
	bertha_net_count(sock_net(&bs->sk), BERTHA_STATS_A_HELLO_SENT, 1);
	return bertha_port_send(bs->port, NULL, &conn->peer,
				BERTHA_WIRE_HELLO, 0, 0, skb);
}

static void bertha_hello_timer(struct work_struct *work)
{
	struct bertha_sock *bs = container_of(to_delayed_work(work),
					      struct bertha_sock, hello_work);
	struct sock *sk = &bs->sk;

	lock_sock(sk);
	if (sk->sk_type == SOCK_DGRAM) {
		bertha_dgram_hello_timer(bs);
		goto out;
	}
	if (sk->sk_state != TCP_SYN_SENT)
		goto out;
	if (bs->hello_tries > BERTHA_HELLO_RETRIES) {
		bertha_handshake_abort(bs, bs->conn);
		bertha_connect_failed(bs, -ETIMEDOUT);
		goto out;
	}
	atomic64_inc(&bs->cnt.hello_retransmits);
	bs->hello_tries++;
	bertha_hello_send(bs, bs->conn);
	queue_delayed_work(bertha_wq, &bs->hello_work,
			   BERTHA_HELLO_RTO << (bs->hello_tries - 1));
out:
	release_sock(sk);
}

static int bertha_connect_start(struct bertha_sock *bs,
				const struct sockaddr_bertha *addr)
{
	struct bertha_conn *conn;
	int err;

	err = bertha_transport_autobind(bs, addr->sbe_ip_family);
	if (err)
		return err;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return -ENOMEM;
	conn->bs = bs;
	conn->cookie = get_random_u64();
	conn->local = bs->port->local;
	conn->peer = *addr;
	conn->peer.sbe_family = bertha_family();
	err = bertha_port_conn_add(bs->port, conn);
	if (err) {
		kfree(conn);
		return err;
	}
	bertha_local_offer(bs, conn);
	bs->conn = conn;
	bs->hello_tries = 1;
	bs->sk.sk_state = TCP_SYN_SENT;
	err = bertha_hello_send(bs, conn);
	if (err && err != -ENOMEM) {
		/* No route to the peer: say so now, as TCP does. */
		bs->conn = NULL;
		bs->sk.sk_state = TCP_CLOSE;
		bertha_conn_free(bs->port, conn);
		return err;
	}
	queue_delayed_work(bertha_wq, &bs->hello_work, BERTHA_HELLO_RTO);
	return 0;
}

/**
 * bertha_conn_connect() - connect(2) on a SEQPACKET socket
 * @bs: the socket
 * @addr: the validated peer address
 * @flags: O_NONBLOCK from the file
 *
 * Return: 0 once negotiated; -EINPROGRESS when not waiting (non-blocking,
 * or SO_SNDTIMEO expired); the refusal's errno; -ETIMEDOUT; -EINTR or
 * -ERESTARTSYS on a signal; -EISCONN, -EALREADY, -EINVAL for the wrong
 * state.
 */
int bertha_conn_connect(struct bertha_sock *bs,
			const struct sockaddr_bertha *addr, int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = &bs->sk;
	long timeo;
	int err;

	lock_sock(sk);
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
		err = -EISCONN;
		goto out;
	case TCP_LISTEN:
		err = -EINVAL;
		goto out;
	case TCP_SYN_SENT:
		err = -EALREADY;
		if (flags & O_NONBLOCK)
			goto out;
		break;	/* a blocking call waits for the one under way */
	default:
		/* The failure of an earlier non-blocking connect, once. */
		err = sock_error(sk);
		if (err)
			goto out;
		err = bertha_connect_start(bs, addr);
		if (err)
			goto out;
	}

	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	add_wait_queue(sk_sleep(sk), &wait);
	while (sk->sk_state == TCP_SYN_SENT) {
		err = -EINPROGRESS;
		if (!timeo)
			break;
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			break;
		sk_wait_event(sk, &timeo, sk->sk_state != TCP_SYN_SENT, &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	if (sk->sk_state == TCP_ESTABLISHED)
		err = 0;
	else if (sk->sk_state == TCP_CLOSE)
		err = sock_error(sk) ?: -ECONNREFUSED;
out:
	release_sock(sk);
	return err;
}

/**
 * bertha_conn_listen() - listen(2)
 * @bs: the socket
 * @backlog: most negotiated connections waiting for accept(2)
 *
 * Return: 0; -EOPNOTSUPP on SOCK_DGRAM; -EINVAL unbound or connected.
 */
int bertha_conn_listen(struct bertha_sock *bs, int backlog)
{
	struct sock *sk = &bs->sk;
	int err = 0;

	if (sk->sk_type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	lock_sock(sk);
	if (!bs->port || bs->conn ||
	    (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN)) {
		err = -EINVAL;
		goto out;
	}
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	if (sk->sk_state == TCP_LISTEN)
		goto out;
	mutex_lock(&bs->port->lock);
	if (bs->port->listener)
		err = -EADDRINUSE;
	else
		bs->port->listener = bs;
	mutex_unlock(&bs->port->lock);
	if (!err)
		sk->sk_state = TCP_LISTEN;
out:
	release_sock(sk);
	return err;
}

/**
 * bertha_conn_accept() - accept(2)
 * @bs: the listening socket
 * @newsock: the socket to attach the connection to
 * @flags: O_NONBLOCK from the file
 *
 * Return: 0; -EINVAL when not listening; -EAGAIN when nothing waits and
 * the call may not (or no longer) wait; -EINTR/-ERESTARTSYS on a signal.
 */
int bertha_conn_accept(struct bertha_sock *bs, struct socket *newsock,
		       int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = &bs->sk;
	struct bertha_sock *child;
	long timeo;
	int err = 0;

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	add_wait_queue(sk_sleep(sk), &wait);
	while (sk->sk_state == TCP_LISTEN && list_empty(&bs->accept_queue)) {
		err = -EAGAIN;
		if (!timeo)
			break;
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			break;
		sk_wait_event(sk, &timeo, sk->sk_state != TCP_LISTEN ||
			      !list_empty(&bs->accept_queue), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	if (sk->sk_state != TCP_LISTEN) {
		err = -EINVAL;
		goto out;
	}
	if (list_empty(&bs->accept_queue))
		goto out;
	child = list_first_entry(&bs->accept_queue, struct bertha_sock,
				 accept_node);
	list_del_init(&child->accept_node);
	sk_acceptq_removed(sk);
	release_sock(sk);

	lock_sock(&child->sk);
	sock_graft(&child->sk, newsock);
	newsock->state = SS_CONNECTED;
	release_sock(&child->sk);
	return 0;
out:
	release_sock(sk);
	return err;
}

/**
 * bertha_conn_shutdown() - shutdown(2)
 * @bs: the socket
 * @how: SHUT_RD, SHUT_WR or SHUT_RDWR
 *
 * Return: 0, -EINVAL for a bad @how, -ENOTCONN when not connected.
 */
int bertha_conn_shutdown(struct bertha_sock *bs, int how)
{
	struct sock *sk = &bs->sk;
	int mask = how + 1, old, err = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	lock_sock(sk);
	if (sk->sk_state != TCP_ESTABLISHED) {
		err = -ENOTCONN;
		goto out;
	}
	old = sk->sk_shutdown;
	bertha_sock_shutdown(bs, mask);
	/* as AF_UNIX: the peer's sends fail once this end stops reading */
	if ((mask & RCV_SHUTDOWN) && !(old & RCV_SHUTDOWN))
		bertha_send_close(bs, bs->conn, BERTHA_CLOSE_F_READ);
	if ((mask & SEND_SHUTDOWN) && !(old & SEND_SHUTDOWN))
		bertha_send_close(bs, bs->conn, BERTHA_CLOSE_F_WRITE);
out:
	release_sock(sk);
	return err;
}

static void __bertha_conn_release(struct bertha_sock *bs, int subclass);

/* With a chunnel that holds messages (``reliable``), close() sends the end
 * of stream after every message and waits, as SO_LINGER says (default
 * 5 s), until the chunnels have flushed; what is left after that is
 * discarded.
 */
static void bertha_conn_flush(struct bertha_sock *bs)
{
	struct bertha_conn *conn = bs->conn;
	struct sock *sk = &bs->sk;
	long timeo = BERTHA_CLOSE_LINGER;

	/* No system call runs on the socket any more; only this reads it.
	 * A connection never accepted has nothing to flush.
	 */
	if (!conn || !conn->binding ||
	    !bertha_binding_can_flush(conn->binding) ||
	    sk->sk_state != TCP_ESTABLISHED || !sk->sk_socket)
		return;
	if (sock_flag(sk, SOCK_LINGER))
		timeo = sk->sk_lingertime;
	lock_sock(sk);
	if (!(sk->sk_shutdown & SEND_SHUTDOWN)) {
		bertha_sock_shutdown(bs, SEND_SHUTDOWN);
		bertha_send_close(bs, conn, BERTHA_CLOSE_F_WRITE);
	}
	release_sock(sk);
	if (timeo)
		bertha_binding_flush(conn->binding, timeo);
}

/* @subclass: SINGLE_DEPTH_NESTING while the listener is locked */
static void bertha_child_drop(struct bertha_sock *child, int subclass)
{
	__bertha_conn_release(child, subclass);
	sock_prot_inuse_add(sock_net(&child->sk), &bertha_proto, -1);
	sock_put(&child->sk);
}

/**
 * bertha_conn_release() - close a socket's connection or listener
 * @bs: the socket being released (or a child never accepted)
 *
 * Tells the peer, refuses new connections on a listener and closes the
 * ones it had not handed out, tears down the binding and drops the port.
 */
void bertha_conn_release(struct bertha_sock *bs)
{
	__bertha_conn_release(bs, 0);
}

static void __bertha_conn_release(struct bertha_sock *bs, int subclass)
{
	struct sock *sk = &bs->sk;
	struct bertha_sock *child, *tmp;
	struct bertha_conn *conn;
	LIST_HEAD(dead_peers);
	LIST_HEAD(pending);

	cancel_delayed_work_sync(&bs->hello_work);
	bertha_keepalive_stop(bs);
	bertha_setup_abort(bs);
	bertha_conn_flush(bs);
	bertha_conn_table_del(bs);

	lock_sock_nested(sk, subclass);
	if (bs->port && bs->port->listener == bs) {
		mutex_lock(&bs->port->lock);
		bs->port->listener = NULL;
		mutex_unlock(&bs->port->lock);
		list_splice_init(&bs->accept_queue, &pending);
	}
	if (sk->sk_type == SOCK_DGRAM)
		bertha_dgram_release(bs, &dead_peers);
	conn = bs->conn;
	if (sk->sk_state == TCP_SYN_SENT)
		bertha_handshake_abort(bs, conn);
	/* Messages nobody will read, or a connection never accepted: the
	 * peer learns it lost data (ECONNRESET), as from AF_UNIX and TCP.
	 */
	if (conn && conn->binding)
		bertha_send_close(bs, conn,
				  !skb_queue_empty(&sk->sk_receive_queue) ||
				  !sk->sk_socket ? BERTHA_CLOSE_F_RESET : 0);
	bs->conn = NULL;
	sk->sk_state = TCP_CLOSE;
	bertha_sock_shutdown(bs, SHUTDOWN_MASK);
	/* Messages of the local path are charged to their sender, which
	 * cannot be freed while we hold them; nobody reads them now.
	 */
	skb_queue_purge(&sk->sk_receive_queue);
	release_sock(sk);

	if (conn)
		bertha_conn_free(bs->port, conn);
	bertha_dgram_free(&dead_peers);
	list_for_each_entry_safe(child, tmp, &pending, accept_node) {
		list_del_init(&child->accept_node);
		sk_acceptq_removed(sk);
		bertha_child_drop(child, 0);
	}
	if (bs->port) {
		bertha_port_put(bs->port);
		bs->port = NULL;
	}
}

/**
 * bertha_conn_path() - how a connection's messages travel
 * @conn: a negotiated connection
 *
 * Return: &enum bertha_path.
 */
u32 bertha_conn_path(const struct bertha_conn *conn)
{
	return conn->path;
}

/**
 * bertha_sock_shutdown() - shut down a socket's receiving or sending side
 * @bs: the socket
 * @mask: RCV_SHUTDOWN, SEND_SHUTDOWN or both
 *
 * Context: any; the local path's peer calls it without the socket lock.
 */
void bertha_sock_shutdown(struct bertha_sock *bs, u8 mask)
{
	struct sock *sk = &bs->sk;

	spin_lock_bh(&bs->shutdown_lock);
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | mask);
	spin_unlock_bh(&bs->shutdown_lock);
	sk->sk_state_change(sk);
}

/**
 * bertha_sock_peer_closed() - the peer closed or shut down a side
 * @bs: the socket
 * @flags: the peer's CLOSE flags (%BERTHA_CLOSE_F_WRITE, ...)
 *
 * Context: any; the local path's peer calls it without the socket lock.
 */
void bertha_sock_peer_closed(struct bertha_sock *bs, u16 flags)
{
	struct sock *sk = &bs->sk;

	if (flags & BERTHA_CLOSE_F_RESET) {
		WRITE_ONCE(sk->sk_err, ECONNRESET);
		sk_error_report(sk);
	}
	bertha_sock_shutdown(bs, bertha_close_mask(flags));
}

/**
 * bertha_sock_queue() - queue a message for the application, charged to
 *	its receive buffer
 * @bs: the receiving socket
 * @skb: the message; consumed
 *
 * A message that comes after release() purged the queue goes with the
 * socket (bertha_destruct()).
 *
 * Context: any.
 * Return: 0, or -ENOBUFS when it was dropped (and counted on the socket):
 * receive side shut down, filtered, or the buffer is full.
 */
int bertha_sock_queue(struct bertha_sock *bs, struct sk_buff *skb)
{
	struct sock *sk = &bs->sk;

	if ((READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) ||
	    sock_queue_rcv_skb(sk, skb)) {
		atomic64_inc(&bs->cnt.rx_dropped);
		kfree_skb(skb);
		return -ENOBUFS;
	}
	atomic64_inc(&bs->cnt.rx_messages);
	return 0;
}

/**
 * bertha_conn_deliver() - queue a received message for the application
 * @conn: the negotiated connection
 * @to: the socket a chunnel steered it to, or NULL for @conn's
 * @skb: the message, after the chunnels' receive ops; consumed
 *
 * Context: softirq, under rcu_read_lock().
 * Return: 0, or -ENOBUFS when it was dropped (and counted on the socket):
 * receive side shut down, or the buffer is full.
 */
int bertha_conn_deliver(struct bertha_conn *conn, struct sock *to,
			struct sk_buff *skb)
{
	struct bertha_sock *bs = to ? bertha_sk(to) : conn->bs;
	struct sock *sk = &bs->sk;
	int err;

	/* another socket may be closing: hold it while we queue */
	if (to && !refcount_inc_not_zero(&to->sk_refcnt)) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	if (sk->sk_type == SOCK_DGRAM) {
		struct sockaddr_bertha from;

		bertha_skb_source(skb, &from);
		bertha_dgram_set_source(skb, &from);
	}
	err = bertha_sock_queue(bs, skb);
	if (to)
		sock_put(to);
	return err;
}

/**
 * bertha_conn_data_rcv() - a DATA or ACK datagram for a connection
 * @conn: the connection (its socket referenced by the caller)
 * @skb: the datagram, headers pulled; consumed when it returns true
 * @type: %BERTHA_WIRE_DATA or %BERTHA_WIRE_CHUNNEL
 * @flags: the header's flags
 *
 * Context: softirq, under rcu_read_lock().
 * Return: false, with @skb untouched, if the connection is not negotiated.
 */
bool bertha_conn_data_rcv(struct bertha_conn *conn, struct sk_buff *skb,
			  u8 type, u16 flags)
{
	/* pairs with the release in bertha_accept_take() */
	struct bertha_binding_set *b = smp_load_acquire(&conn->binding);

	if (!b)
		return false;
	WRITE_ONCE(conn->last_rcv, jiffies);
	if (type == BERTHA_WIRE_CHUNNEL) {
		if (!bertha_wire_cookie_ok(skb, conn)) {
			bertha_wire_spoofed(conn->bs);
			kfree_skb(skb);
			return true;
		}
		__skb_pull(skb, BERTHA_WIRE_COOKIE_LEN);
		bertha_binding_ctrl_rcv(conn, b, skb, flags);
	} else {
		bertha_binding_rcv(conn, b, skb, flags);
	}
	return true;
}

/**
 * bertha_conn_relock() - lock the socket of a connection found under RCU
 * @port: the port the connection was found on
 * @id: its id, read under RCU
 * @conn: the connection; only compared: it may be gone by now
 * @bs: its socket, held (refcount_inc_not_zero() under RCU)
 *
 * Return: @bs, locked and still held, if @conn still has @id on @port;
 * else NULL, the reference dropped.
 */
struct bertha_sock *bertha_conn_relock(struct bertha_port *port, u32 id,
				       const struct bertha_conn *conn,
				       struct bertha_sock *bs)
{
	lock_sock(&bs->sk);
	/* Released while we were not looking? Owners withdraw ids locked. */
	if (bertha_port_conn_find(port, id) != conn) {
		release_sock(&bs->sk);
		sock_put(&bs->sk);
		return NULL;
	}
	return bs;
}

/* Find the socket of connection @id and lock it, if @from is its peer. */
static struct bertha_sock *bertha_conn_lock(struct bertha_port *port, u32 id,
					    const struct sk_buff *skb,
					    struct bertha_conn **connp)
{
	struct bertha_sock *bs = NULL;
	struct bertha_conn *conn;

	rcu_read_lock();
	conn = bertha_port_conn_find(port, id);
	if (conn && bertha_skb_from(skb, &conn->peer) &&
	    refcount_inc_not_zero(&conn->bs->sk.sk_refcnt))
		bs = conn->bs;
	rcu_read_unlock();
	if (!bs || !bertha_conn_relock(port, id, conn, bs))
		return NULL;
	*connp = conn;
	return bs;
}

/**
 * bertha_accept_take() - bind a connection as its listener's ACCEPT says
 * @bs: the socket, locked
 * @conn: the connection being negotiated
 * @skb: the ACCEPT
 * @dag: the DAG in effect (a copy for the caller), or NULL
 *
 * On failure the refusal is counted and the connection the listener made
 * is closed again.
 *
 * Return: 0 with @conn negotiated; -EPROTO, -EPROTONOSUPPORT or -ENOMEM.
 */
int bertha_accept_take(struct bertha_sock *bs, struct bertha_conn *conn,
		       struct sk_buff *skb, struct bertha_dag **dag)
{
	struct bertha_binding_set *b;
	u32 peer_id = 0;
	int err;

	err = bertha_accept_parse(bs, skb, &b, dag, &peer_id);
	if (!err) {
		/* the chunnels start knowing the path and the peer */
		conn->peer_id = peer_id;
		conn->path = bertha_local_decide(conn, skb);
		err = bertha_binding_install(b, conn, true, *dag ?: bs->dag);
		if (err) {
			bertha_binding_free(b);
			kfree(*dag);
			*dag = NULL;
			if (err != -ENOMEM)
				err = -EPROTONOSUPPORT;
		}
	}
	if (err) {
		if (err == -EPROTO)
			atomic64_inc(&bs->port->rx_malformed);
		if (err != -ENOMEM)
			bertha_count_reject(bs, err == -EPROTO ?
					    BERTHA_REJECT_MALFORMED :
					    BERTHA_REJECT_NO_IMPLEMENTATION);
		/* The listener made a connection for us: let it go. */
		if (peer_id) {
			conn->peer_id = peer_id;
			bertha_send_close(bs, conn, 0);
		}
		return err;
	}
	conn->peer_id = peer_id;
	/* softirq may use the binding as soon as it sees it */
	smp_store_release(&conn->binding, b);
	bertha_count_accept(bs, b);
	/* a SEQPACKET client says so once its path is decided */
	if (bs->sk.sk_type == SOCK_DGRAM)
		bertha_conn_event(bs, conn, BERTHA_CMD_CONN_ESTABLISHED_NTF);
	return 0;
}

static void bertha_accept_rcv(struct bertha_sock *bs, struct sk_buff *skb)
{
	struct sock *sk = &bs->sk;
	struct bertha_dag *dag;
	int err;

	if (sk->sk_state != TCP_SYN_SENT)
		return;	/* the answer to a retransmitted HELLO */
	err = bertha_accept_take(bs, bs->conn, skb, &dag);
	if (err) {
		bertha_connect_failed(bs, err);
		return;
	}
	/* Autobound to a wildcard: the address the listener answered is
	 * the one the connection uses; getsockname() reports it, as TCP's,
	 * and the connection sends from it.
	 */
	if (bertha_addr_is_any(&bs->conn->local))
		bertha_skb_dest(skb, &bs->conn->local);
	bertha_local_confirm(bs->conn);
	bertha_conn_event(bs, bs->conn, BERTHA_CMD_CONN_ESTABLISHED_NTF);
	if (!bs->dag)
		swap(bs->dag, dag);
	kfree(dag);
	cancel_delayed_work(&bs->hello_work);
	sk->sk_state = TCP_ESTABLISHED;
	bertha_keepalive_start(bs);
	sk->sk_state_change(sk);
}

static void bertha_reject_rcv(struct bertha_sock *bs, struct sk_buff *skb)
{
	const struct nlattr *attrs[BERTHA_WIRE_A_MAX + 1];
	u32 reason;

	if (bs->sk.sk_state != TCP_SYN_SENT)
		return;
	if (bertha_ctrl_parse(skb, attrs) || !attrs[BERTHA_WIRE_A_REASON]) {
		atomic64_inc(&bs->port->rx_malformed);
		return;
	}
	reason = nla_get_u32(attrs[BERTHA_WIRE_A_REASON]);
	bertha_count_reject(bs, reason);
	bertha_connect_failed(bs, bertha_reject_errno(reason));
}

static void bertha_close_rcv(struct bertha_sock *bs, u16 flags)
{
	struct sock *sk = &bs->sk;

	if (sk->sk_state != TCP_ESTABLISHED)
		return;
	if (!(flags & (BERTHA_CLOSE_F_WRITE | BERTHA_CLOSE_F_READ)))
		bs->conn->peer_closed = true;
	bertha_sock_peer_closed(bs, flags);
}

/**
 * bertha_conn_unreachable() - a datagram sent to @conn's peer came back
 *	as an ICMP error (icmp.c)
 * @bs: the socket, locked
 * @conn: the connection whose peer the datagram went to
 * @err: the error, a negative errno (-%ECONNREFUSED, -%EHOSTUNREACH, ...)
 * @type: the quoted datagram's &enum bertha_wire_type
 * @id: the connection id in its header
 *
 * As TCP: a connect under way fails with @err at once. Once negotiated,
 * only "port unreachable" is final (the peer's port is gone, and with it
 * every socket behind it): the socket reports %ECONNREFUSED and both
 * directions end; a host or network that cannot be reached may come
 * back, so that is a soft error.
 *
 * Return: true if the error was about a datagram @conn sends now.
 */
bool bertha_conn_unreachable(struct bertha_sock *bs, struct bertha_conn *conn,
			     int err, u8 type, u32 id)
{
	struct sock *sk = &bs->sk;

	if (sk->sk_state == TCP_SYN_SENT) {
		if (bs->conn != conn || type != BERTHA_WIRE_HELLO)
			return false;
		bertha_connect_failed(bs, err);
		return true;
	}
	if (!conn->binding || !conn->peer_id || id != conn->peer_id ||
	    (type != BERTHA_WIRE_DATA && type != BERTHA_WIRE_CHUNNEL))
		return false;
	if (err != -ECONNREFUSED) {
		WRITE_ONCE(sk->sk_err_soft, -err);
		return true;
	}
	WRITE_ONCE(sk->sk_err, ECONNREFUSED);
	sk_error_report(sk);
	bertha_sock_shutdown(bs, SHUTDOWN_MASK);
	return true;
}

/**
 * bertha_ctrl_reply() - answer a HELLO from the address it was sent to
 * @port: the port it arrived on
 * @hello: the HELLO
 * @to: its source
 * @conn_id: the sender's connection id
 * @type: ACCEPT or REJECT
 * @payload: the answer, or NULL (nothing is sent)
 */
void bertha_ctrl_reply(struct bertha_port *port, const struct sk_buff *hello,
		       const struct sockaddr_bertha *to, u32 conn_id, u8 type,
		       struct sk_buff *payload)
{
	struct sockaddr_bertha src;

	if (!payload)
		return;
	bertha_skb_dest(hello, &src);
	bertha_port_send(port, &src, to, type, conn_id, 0, payload);
}

/*
 * The connection a listener made from a client's HELLO, found by what the
 * client knows of it: its address, its own connection id and its cookie.
 * Return: its socket, held (the listener itself for a SOCK_DGRAM peer).
 */
static struct bertha_sock *bertha_port_child_get(struct bertha_port *port,
						 const struct sockaddr_bertha *from,
						 u32 client_id, u64 cookie,
						 struct bertha_conn **found)
{
	struct bertha_sock *child = NULL;
	struct bertha_conn *conn;
	unsigned long id;

	rcu_read_lock();
	xa_for_each(&port->conns, id, conn) {
		if (conn->peer_id == client_id && conn->cookie == cookie &&
		    bertha_addr_equal(&conn->peer, from) &&
		    refcount_inc_not_zero(&conn->bs->sk.sk_refcnt)) {
			child = conn->bs;
			*found = conn;
			break;
		}
	}
	rcu_read_unlock();
	return child;
}

/* A HELLO for a connection the listener already made: answer it again. */
static bool bertha_hello_duplicate(struct bertha_sock *listener,
				   const struct sk_buff *hello,
				   const struct sockaddr_bertha *from,
				   u32 client_id, u64 cookie)
{
	struct bertha_port *port = listener->port;
	struct bertha_sock *child;
	struct bertha_conn *conn;

	child = bertha_port_child_get(port, from, client_id, cookie, &conn);
	if (!child)
		return false;

	if (child == listener) {
		/* A SOCK_DGRAM peer: its socket is locked, so it stays. */
		bertha_ctrl_reply(port, hello, from, client_id,
				  BERTHA_WIRE_ACCEPT,
				  bertha_accept_build(conn, listener->dag));
	} else {
		lock_sock_nested(&child->sk, SINGLE_DEPTH_NESTING);
		if (child->conn)
			bertha_ctrl_reply(port, hello, from, client_id,
					  BERTHA_WIRE_ACCEPT,
					  bertha_accept_build(child->conn,
							      child->dag));
		release_sock(&child->sk);
	}
	sock_put(&child->sk);
	atomic64_inc(&listener->cnt.hello_duplicate);
	return true;
}

static struct bertha_sock *bertha_child_create(struct bertha_sock *listener,
					       const struct sk_buff *hello,
					       const struct sockaddr_bertha *from,
					       u32 client_id, u64 cookie,
					       const struct bertha_binding_set *b,
					       struct bertha_dag *dag)
{
	struct sock *lsk = &listener->sk, *sk;
	struct bertha_sock *child;
	struct bertha_conn *conn;

	sk = bertha_sock_alloc(sock_net(lsk), lsk->sk_type, false);
	if (!sk)
		return NULL;
	child = bertha_sk(sk);
	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		goto err;
	conn->bs = child;
	bertha_skb_dest(hello, &conn->local);
	conn->peer = *from;
	conn->peer_id = client_id;
	conn->cookie = cookie;
	bertha_port_get(listener->port);
	child->port = listener->port;
	if (bertha_port_conn_add(child->port, conn)) {
		kfree(conn);
		goto err;
	}
	child->conn = conn;
	child->dag = dag;
	sk->sk_rcvbuf = READ_ONCE(lsk->sk_rcvbuf);
	sk->sk_sndbuf = READ_ONCE(lsk->sk_sndbuf);
	bertha_keepalive_inherit(child, listener);
	sk->sk_state = TCP_ESTABLISHED;
	atomic64_inc(&child->cnt.accepted);
	atomic64_add(b->fallbacks, &child->cnt.fallbacks);
	bertha_conn_table_publish(child);
	return child;
err:
	/* Without a connection nothing of the binding was handed over. */
	bertha_child_drop(child, SINGLE_DEPTH_NESTING);
	return NULL;
}

static void bertha_hello_rcv(struct bertha_port *port, struct sk_buff *skb)
{
	const struct nlattr *attrs[BERTHA_WIRE_A_MAX + 1];
	struct bertha_sock *listener, *child;
	struct bertha_binding_set *b;
	struct sockaddr_bertha from;
	struct bertha_dag *dag;
	u32 client_id, reason;
	bool unlocked;
	struct sock *lsk;
	u64 cookie, token;
	int ret;

	bertha_skb_source(skb, &from);
	if (bertha_ctrl_parse(skb, attrs) || !attrs[BERTHA_WIRE_A_CONN_ID] ||
	    !attrs[BERTHA_WIRE_A_SOCK_TYPE] || !attrs[BERTHA_WIRE_A_COOKIE] ||
	    !nla_get_u32(attrs[BERTHA_WIRE_A_CONN_ID])) {
		atomic64_inc(&port->rx_malformed);
		return;
	}
	client_id = nla_get_u32(attrs[BERTHA_WIRE_A_CONN_ID]);
	memcpy(&cookie, nla_data(attrs[BERTHA_WIRE_A_COOKIE]), sizeof(cookie));

	mutex_lock(&port->lock);
	listener = port->listener;
	if (listener)
		sock_hold(&listener->sk);
	mutex_unlock(&port->lock);
	if (!listener) {
		atomic64_inc(&port->rx_unexpected);
		bertha_ctrl_reply(port, skb, &from, client_id,
				  BERTHA_WIRE_REJECT,
				  bertha_reject_build(cookie,
						      BERTHA_REJECT_NOT_LISTENING));
		return;
	}

	lsk = &listener->sk;
	lock_sock(lsk);
	if ((lsk->sk_state != TCP_LISTEN && lsk->sk_type == SOCK_SEQPACKET) ||
	    nla_get_u32(attrs[BERTHA_WIRE_A_SOCK_TYPE]) != lsk->sk_type) {
		reason = BERTHA_REJECT_NOT_LISTENING;
		goto reject;
	}
	atomic64_inc(&listener->cnt.hello_received);
	bertha_net_count(sock_net(lsk), BERTHA_STATS_A_HELLO_RECEIVED, 1);
	if (bertha_hello_duplicate(listener, skb, &from, client_id, cookie))
		goto out;
	if (bertha_retry_wanted(listener) &&
	    !bertha_retry_token_ok(attrs[BERTHA_WIRE_A_TOKEN], &from,
				   client_id, cookie)) {
		/* no state for an address not proven yet */
		token = bertha_retry_token(&from, client_id, cookie, 0);
		atomic64_inc(&listener->cnt.retry_sent);
		bertha_net_count(sock_net(lsk), BERTHA_STATS_A_RETRY_SENT, 1);
		bertha_ctrl_reply(port, skb, &from, client_id, BERTHA_WIRE_RETRY,
				  bertha_retry_build(cookie, token, GFP_KERNEL));
		goto out;
	}
	if (lsk->sk_type == SOCK_DGRAM) {
		ret = bertha_dgram_hello(listener, skb, attrs, &from, client_id,
					 cookie);
		if (ret <= 0)
			goto out;
		reason = ret;
		goto reject;
	}
	if (sk_acceptq_is_full(lsk)) {
		/* As a full SYN queue does: the client retransmits. */
		atomic64_inc(&listener->cnt.hello_backlog_drops);
		goto out;
	}

	ret = bertha_negotiate_setup(listener, skb, attrs, &from, &b, &dag,
				     &unlocked);
	if (ret < 0)
		goto out;	/* no memory: the retransmission may fare better */
	if (ret > 0) {
		reason = ret;
		goto reject;
	}
	/* A helper was asked without the lock: is the listener still one? */
	if (unlocked && (lsk->sk_state != TCP_LISTEN ||
			 sk_acceptq_is_full(lsk))) {
		bertha_binding_free(b);
		kfree(dag);
		if (lsk->sk_state == TCP_LISTEN) {
			atomic64_inc(&listener->cnt.hello_backlog_drops);
			goto out;
		}
		reason = BERTHA_REJECT_NOT_LISTENING;
		goto reject;
	}
	child = bertha_child_create(listener, skb, &from, client_id, cookie, b,
				    dag);
	if (!child) {
		bertha_binding_free(b);
		kfree(dag);
		goto out;
	}
	/* the chunnels start knowing the path */
	bertha_local_join(child->conn, attrs, b);
	ret = bertha_binding_install(b, child->conn, false, child->dag);
	if (ret) {
		bertha_binding_free(b);
		/* the client is not connected: it hears of it by the answer */
		bertha_local_abandon(child->conn);
		bertha_child_drop(child, SINGLE_DEPTH_NESTING);
		/* no memory: the retransmitted HELLO may fare better */
		if (ret == -ENOMEM)
			goto out;
		reason = BERTHA_REJECT_NO_IMPLEMENTATION;
		goto reject;
	}
	/* softirq may use the binding as soon as it sees it */
	smp_store_release(&child->conn->binding, b);
	bertha_keepalive_start(child);
	bertha_ctrl_reply(port, skb, &from, client_id, BERTHA_WIRE_ACCEPT,
			  bertha_accept_build(child->conn, child->dag));
	bertha_count_accept(listener, b);
	list_add_tail(&child->accept_node, &listener->accept_queue);
	sk_acceptq_added(lsk);
	lsk->sk_data_ready(lsk);
	bertha_conn_event(child, child->conn, BERTHA_CMD_CONN_ESTABLISHED_NTF);
	goto out;

reject:
	bertha_count_reject(listener, reason);
	bertha_ctrl_reply(port, skb, &from, client_id, BERTHA_WIRE_REJECT,
			  bertha_reject_build(cookie, reason));
out:
	release_sock(lsk);
	sock_put(lsk);
}

/*
 * The listener asks the HELLO again with a token (retry.c): take it and
 * send the HELLO again at once; the retransmissions carry it too. Only
 * while negotiating, and a token only once: a listener that answers the
 * token's HELLO with another RETRY (its slot ran out) is answered by the
 * retransmissions, not at once, so two ends cannot loop.
 */
static void bertha_retry_rcv(struct bertha_sock *bs, struct bertha_conn *conn,
			     struct sk_buff *skb)
{
	const struct nlattr *attrs[BERTHA_WIRE_A_MAX + 1];
	bool pending = bs->sk.sk_type == SOCK_DGRAM ?
		       !conn->binding && !conn->err :
		       bs->sk.sk_state == TCP_SYN_SENT && bs->conn == conn;
	u64 token;

	if (!pending)
		return;
	if (bertha_ctrl_parse(skb, attrs) || !attrs[BERTHA_WIRE_A_TOKEN]) {
		atomic64_inc(&bs->port->rx_malformed);
		return;
	}
	memcpy(&token, nla_data(attrs[BERTHA_WIRE_A_TOKEN]), sizeof(token));
	if (!token || token == conn->retry_token)
		return;
	atomic64_inc(&bs->cnt.retry_received);
	conn->retry_token = token;
	bertha_hello_send(bs, conn);
}

/* A HELLO of another wire version: refused in words its sender reads. */
static void bertha_hello_version_rcv(struct bertha_port *port,
				     struct sk_buff *skb)
{
	struct sockaddr_bertha from, src;
	struct sk_buff *reply;
	u32 client_id;
	u8 version;

	if (((const struct bertha_wire_hdr *)(udp_hdr(skb) + 1))->type !=
	    BERTHA_WIRE_HELLO)
		return;
	reply = bertha_version_refusal(skb, &client_id, &version);
	if (!reply)
		return;
	/* never more bytes back than came: no use as a reflector */
	if (reply->len > skb->len - sizeof(struct udphdr) -
			 sizeof(struct bertha_wire_hdr)) {
		kfree_skb(reply);
		return;
	}
	bertha_skb_source(skb, &from);
	bertha_skb_dest(skb, &src);
	bertha_net_count(sock_net(port->udp->sk), BERTHA_STATS_A_REJECTED, 1);
	bertha_net_count(sock_net(port->udp->sk),
			 BERTHA_STATS_A_REJECTED_VERSION, 1);
	bertha_port_send_version(port, &src, &from, version,
				 BERTHA_WIRE_REJECT, client_id, 0, reply);
}

/*
 * A client gave up its handshake (CLOSE with F_ABORT): drop the connection
 * its HELLO made if the application has not accepted it yet, else reset
 * it, as a peer's CLOSE with F_RESET would. Nothing made: nothing to do.
 */
static void bertha_abort_rcv(struct bertha_port *port,
			     const struct sk_buff *skb, u32 client_id,
			     u64 cookie)
{
	struct bertha_sock *child, *listener;
	struct sockaddr_bertha from;
	bool queued = false, reset = false;
	struct bertha_conn *conn;

	bertha_skb_source(skb, &from);
	child = bertha_port_child_get(port, &from, client_id, cookie, &conn);
	/* SOCK_DGRAM: no handshake to abort, a peer is negotiated per send */
	if (child && child->sk.sk_type != SOCK_SEQPACKET) {
		sock_put(&child->sk);
		child = NULL;
	}
	if (!child) {
		atomic64_inc(&port->rx_unexpected);
		return;
	}
	mutex_lock(&port->lock);
	listener = port->listener;
	if (listener)
		sock_hold(&listener->sk);
	mutex_unlock(&port->lock);

	/* the accept queue is the listener's, under its lock */
	if (listener)
		lock_sock(&listener->sk);
	lock_sock_nested(&child->sk, SINGLE_DEPTH_NESTING);
	if (listener && !list_empty(&child->accept_node)) {
		list_del_init(&child->accept_node);
		sk_acceptq_removed(&listener->sk);
		queued = true;
	} else if (child->conn == conn && !conn->peer_closed) {
		/* the client has no end: nobody to send a CLOSE to later */
		conn->peer_closed = true;
		bertha_sock_peer_closed(child, BERTHA_CLOSE_F_RESET);
		reset = true;
	}
	release_sock(&child->sk);
	/* a retransmitted abort (its echo lost) changes nothing more */
	if (listener && (queued || reset))
		atomic64_inc(&listener->cnt.handshake_aborts);
	if (queued || reset)
		bertha_net_count(sock_net(port->udp->sk),
				 BERTHA_STATS_A_ABORTS, 1);
	if (listener) {
		release_sock(&listener->sk);
		sock_put(&listener->sk);
	}
	if (queued)
		bertha_child_drop(child, 0);
	sock_put(&child->sk);
}

/* The cookie a CLOSE starts with. */
static bool bertha_close_cookie(const struct sk_buff *skb, u64 *cookie)
{
	__be64 buf, *p;

	p = skb_header_pointer(skb, sizeof(struct udphdr) +
			       sizeof(struct bertha_wire_hdr), sizeof(buf),
			       &buf);
	if (!p)
		return false;
	*cookie = be64_to_cpu(*p);
	return true;
}

/*
 * A CLOSE that is an echo (F_ACK) or an abort (F_ABORT): neither names a
 * connection of this end by its id.
 */
static void bertha_close_other_rcv(struct bertha_port *port,
				   struct sk_buff *skb, u32 id, u16 flags)
{
	u64 cookie;

	if (!bertha_close_cookie(skb, &cookie)) {
		atomic64_inc(&port->rx_malformed);
		return;
	}
	if (flags & BERTHA_CLOSE_F_ACK) {
		if (!bertha_close_ack_rcv(port, skb, id, flags, cookie))
			atomic64_inc(&port->rx_unexpected);
		return;
	}
	bertha_abort_rcv(port, skb, id, cookie);
	bertha_close_echo(port, skb, id, flags, cookie);
}

/**
 * bertha_conn_ctrl_rcv() - handle one control datagram
 * @port: the port it arrived on
 * @skb: the datagram (data at the UDP header); consumed
 *
 * Context: process context (the port's work item).
 */
void bertha_conn_ctrl_rcv(struct bertha_port *port, struct sk_buff *skb)
{
	const unsigned int off = sizeof(struct udphdr) +
				 sizeof(struct bertha_wire_hdr);
	const struct bertha_wire_hdr *hdr;
	struct bertha_conn *conn;
	struct bertha_sock *bs;
	bool cookie_payload;
	u64 cookie;
	u16 flags;
	u32 id;
	u8 type;

	/* converted in place, once: the data must be ours alone */
	if (skb_ensure_writable(skb, skb->len))
		goto out;
	hdr = (void *)(udp_hdr(skb) + 1);
	type = hdr->type;
	flags = ntohs(hdr->flags);
	id = ntohl(hdr->conn_id);
	if (hdr->version != BERTHA_WIRE_VERSION) {
		bertha_hello_version_rcv(port, skb);
		goto out;
	}
	cookie_payload = type == BERTHA_WIRE_CLOSE ||
			 type == BERTHA_WIRE_KEEPALIVE;
	if (!cookie_payload)
		bertha_wire_to_host(skb->data + off, skb->len - off);
	if (type == BERTHA_WIRE_HELLO) {
		bertha_hello_rcv(port, skb);
		goto out;
	}
	if (type == BERTHA_WIRE_CLOSE &&
	    (flags & (BERTHA_CLOSE_F_ACK | BERTHA_CLOSE_F_ABORT))) {
		bertha_close_other_rcv(port, skb, id, flags);
		goto out;
	}
	bs = bertha_conn_lock(port, id, skb, &conn);
	if (!bs) {
		atomic64_inc(&port->rx_unexpected);
		/* closed here too, or forgotten: else it is sent again */
		if (type == BERTHA_WIRE_CLOSE && bertha_close_cookie(skb, &cookie))
			bertha_close_echo(port, skb, id, flags, cookie);
		goto out;
	}
	if (cookie_payload ?
	    !(skb_pull(skb, off) && bertha_wire_cookie_ok(skb, conn)) :
	    !bertha_answer_cookie_ok(skb, conn)) {
		bertha_wire_spoofed(bs);
		goto unlock;
	}
	WRITE_ONCE(conn->last_rcv, jiffies);
	if (type == BERTHA_WIRE_CLOSE)
		bertha_close_echo(port, skb, id, flags, conn->cookie);
	if (type == BERTHA_WIRE_KEEPALIVE) {
		if (bs->sk.sk_type == SOCK_SEQPACKET)
			bertha_keepalive_rcv(bs, conn, flags);
		goto unlock;
	}
	if (type == BERTHA_WIRE_RETRY) {
		bertha_retry_rcv(bs, conn, skb);
		goto unlock;
	}
	if (bs->sk.sk_type == SOCK_DGRAM) {
		bertha_dgram_ctrl_rcv(bs, conn, type, flags, skb);
		goto unlock;
	}
	switch (type) {
	case BERTHA_WIRE_ACCEPT:
		bertha_accept_rcv(bs, skb);
		break;
	case BERTHA_WIRE_REJECT:
		bertha_reject_rcv(bs, skb);
		break;
	case BERTHA_WIRE_CLOSE:
		bertha_close_rcv(bs, flags);
		break;
	}
unlock:
	release_sock(&bs->sk);
	sock_put(&bs->sk);
out:
	consume_skb(skb);
}

/**
 * bertha_msg_skb() - a message to send, charged to a socket
 * @sk: the socket whose send buffer it is charged to
 * @msg: the message
 * @len: its length, at most %BERTHA_MSG_MAX
 * @err: set on failure
 *
 * Waits for send buffer space as SO_SNDBUF, SO_SNDTIMEO and MSG_DONTWAIT
 * say, and leaves room in front for every header and the chunnels' own.
 *
 * Return: the message, linear, or NULL (-EAGAIN, -EINTR, -EFAULT, ...).
 */
struct sk_buff *bertha_msg_skb(struct sock *sk, struct msghdr *msg,
			       size_t len, int *err)
{
	struct sk_buff *skb;

	skb = sock_alloc_send_skb(sk, BERTHA_XMIT_HEADROOM + len,
				  msg->msg_flags & MSG_DONTWAIT, err);
	if (!skb)
		return NULL;
	skb_reserve(skb, BERTHA_XMIT_HEADROOM);
	*err = memcpy_from_msg(skb_put(skb, len), msg, len);
	if (*err) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

/**
 * bertha_conn_xmit() - send one message on a negotiated connection
 * @bs: the socket
 * @conn: the connection; negotiated, and kept until release()
 * @msg: the message
 * @len: its length, at most %BERTHA_MSG_MAX
 *
 * Return: @len, or -EAGAIN, -EINTR, a chunnel's or routing error.
 */
int bertha_conn_xmit(struct bertha_sock *bs, struct bertha_conn *conn,
		     struct msghdr *msg, size_t len)
{
	struct sk_buff *skb;
	int err;

	skb = bertha_msg_skb(&bs->sk, msg, len, &err);
	if (!skb)
		return err;
	err = bertha_binding_xmit(conn, skb, NULL);
	if (err)
		return err;
	atomic64_inc(&bs->cnt.tx_messages);
	return len;
}

/**
 * bertha_conn_sendmsg() - send one message on a connected socket
 * @bs: the socket
 * @msg: the message
 * @len: its length
 *
 * Without a reliable chunnel the UDP path may lose the message, as UDP
 * would.
 *
 * Return: @len; -EMSGSIZE above %BERTHA_MSG_MAX; -ENOTCONN; -EPIPE after
 * shutdown (with SIGPIPE unless MSG_NOSIGNAL); -EAGAIN; a chunnel's or
 * routing error.
 */
int bertha_conn_sendmsg(struct bertha_sock *bs, struct msghdr *msg,
			size_t len)
{
	struct sock *sk = &bs->sk;
	struct bertha_conn *conn;
	int err;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len > BERTHA_MSG_MAX)
		return -EMSGSIZE;

	lock_sock(sk);
	conn = bs->conn;
	err = sock_error(sk);	/* a chunnel gave up: ETIMEDOUT, once */
	if (!err && (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN))
		err = -EPIPE;
	else if (!err && sk->sk_state != TCP_ESTABLISHED)
		err = -ENOTCONN;
	release_sock(sk);
	if (err == -EPIPE && !(msg->msg_flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	if (err)
		return err;
	/* The connection stays until release(), which cannot run while we
	 * are in a system call on the socket.
	 */
	if (conn->path != BERTHA_PATH_LOCAL)
		return bertha_conn_xmit(bs, conn, msg, len);
	err = bertha_local_xmit(bs, conn, msg, len);
	if (err == -EPIPE && !(msg->msg_flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	return err;
}
