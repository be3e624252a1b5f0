// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_DGRAM: one bound socket exchanging messages with many negotiated
 * peers through sendto/recvfrom (the paper's sharding server is such a
 * socket). The first sendto() to an address negotiates with it, HELLO and
 * ACCEPT as connect(2) does; a HELLO from a new address makes a peer on the
 * spot, as a listener would, but without accept(2). Each peer is a
 * &struct bertha_conn on the socket's own port; DATA from an address that
 * is not a negotiated peer is counted and dropped.
 *
 * Everything here runs with the socket locked, sends included, so a peer
 * cannot vanish under a sender.
 *
 * Each peer's chunnels run as on a SOCK_SEQPACKET connection. Their
 * control messages are handled in softirq without the socket lock, so a
 * sendto() waiting for send buffer space with the lock held still sees
 * its space come back. A peer a chunnel gives up on (bertha_chunnel_fail())
 * fails on its own: the next sendto() to it returns the error and forgets
 * it. The chunnel types' socket hooks see every bound socket, and may
 * answer a sendto() to an address that is none of its peers.
 */
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "bertha.h"
#include "binding.h"
#include "conn.h"
#include "conn_table.h"
#include "dgram.h"
#include "local.h"
#include "negotiate.h"
#include "registry.h"
#include "socket.h"
#include "transport.h"
#include "wire.h"

/*
 * Where a message queued on a SOCK_DGRAM socket came from, written as it
 * is queued: the local path's messages have no headers to read it from.
 */
struct bertha_dgram_cb {
	u16 ip_family;
	__be16 port;
	u32 scope_id;
	u8 addr[16];
};

static struct bertha_dgram_cb *bertha_dgram_cb(const struct sk_buff *skb)
{
	/* sock_queue_rcv_skb() keeps its drop count at the end of cb */
	BUILD_BUG_ON(sizeof(struct bertha_dgram_cb) > SOCK_SKB_CB_OFFSET);
	return (struct bertha_dgram_cb *)skb->cb;
}

/**
 * bertha_dgram_set_source() - record the sender of a message before it is
 *	queued on a SOCK_DGRAM socket
 * @skb: the message
 * @from: its sender
 */
void bertha_dgram_set_source(struct sk_buff *skb,
			     const struct sockaddr_bertha *from)
{
	struct bertha_dgram_cb *cb = bertha_dgram_cb(skb);

	cb->ip_family = from->sbe_ip_family;
	cb->port = from->sbe_port;
	cb->scope_id = from->sbe_scope_id;
	memcpy(cb->addr, &from->sbe_addr, sizeof(cb->addr));
}

/**
 * bertha_dgram_source() - the sender bertha_dgram_set_source() recorded
 * @skb: a message taken from a SOCK_DGRAM socket's receive queue
 * @from: filled with its address
 */
void bertha_dgram_source(const struct sk_buff *skb,
			 struct sockaddr_bertha *from)
{
	const struct bertha_dgram_cb *cb = bertha_dgram_cb(skb);

	memset(from, 0, sizeof(*from));
	from->sbe_family = bertha_family();
	from->sbe_ip_family = cb->ip_family;
	from->sbe_port = cb->port;
	from->sbe_scope_id = cb->scope_id;
	memcpy(&from->sbe_addr, cb->addr, sizeof(cb->addr));
}

/**
 * bertha_dgram_bind() - a bound SOCK_DGRAM socket answers HELLOs
 * @bs: the socket, just bound, locked
 */
void bertha_dgram_bind(struct bertha_sock *bs)
{
	mutex_lock(&bs->port->lock);
	bs->port->listener = bs;
	mutex_unlock(&bs->port->lock);
	bertha_chunnel_sock_bind(bs);
}

/* The peer at @addr: the newest negotiated one (a peer that restarted on
 * the same address negotiated again, and its old CLOSE may have been
 * lost), else one in negotiation or failed.
 */
static struct bertha_conn *bertha_dgram_find(struct bertha_sock *bs,
					     const struct sockaddr_bertha *addr)
{
	struct bertha_conn *conn, *found = NULL;

	list_for_each_entry_reverse(conn, &bs->peers, node) {
		if (!bertha_addr_equal(&conn->peer, addr))
			continue;
		if (conn->binding)
			return conn;
		if (!found)
			found = conn;
	}
	return found;
}

static void bertha_dgram_forget(struct bertha_sock *bs,
				struct bertha_conn *conn)
{
	list_del(&conn->node);
	bs->npeers--;
	bertha_conn_free(bs->port, conn);
}

/* Forget the peers on the local path that closed: no CLOSE tells of them
 * (bertha_local_notify()), so room for a new peer is made here, with one
 * grace period for all of them.
 */
static void bertha_dgram_reap(struct bertha_sock *bs)
{
	struct bertha_conn *conn, *tmp;
	LIST_HEAD(dead);

	list_for_each_entry_safe(conn, tmp, &bs->peers, node) {
		if (!conn->binding || !bertha_local_peer_gone(conn))
			continue;
		bertha_port_conn_del(bs->port, conn);
		list_move_tail(&conn->node, &dead);
		bs->npeers--;
	}
	bertha_dgram_free(&dead);
}

/* The peer at @addr, once a peer there that closed on the local path is
 * forgotten, as its CLOSE would have it on the network.
 */
static struct bertha_conn *bertha_dgram_find_live(struct bertha_sock *bs,
						  const struct sockaddr_bertha *addr)
{
	struct bertha_conn *conn;

	while ((conn = bertha_dgram_find(bs, addr)) && conn->binding &&
	       bertha_local_peer_gone(conn))
		bertha_dgram_forget(bs, conn);
	return conn;
}

/* A negotiation that failed leaves the local path it offered or joined. */
static void bertha_dgram_fail(struct bertha_conn *conn, int err)
{
	conn->err = err;
	bertha_local_close(conn);
}

static bool bertha_dgram_full(struct bertha_sock *bs)
{
	if (bs->npeers >= BERTHA_DGRAM_MAX_PEERS)
		bertha_dgram_reap(bs);
	return bs->npeers >= BERTHA_DGRAM_MAX_PEERS;
}

static struct bertha_conn *bertha_dgram_add(struct bertha_sock *bs,
					    const struct sockaddr_bertha *peer)
{
	struct bertha_conn *conn;

	if (bertha_dgram_full(bs))
		return ERR_PTR(-ENOBUFS);
	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return ERR_PTR(-ENOMEM);
	conn->bs = bs;
	conn->peer = *peer;
	conn->peer.sbe_family = bertha_family();
	if (bertha_port_conn_add(bs->port, conn)) {
		kfree(conn);
		return ERR_PTR(-ENOBUFS);
	}
	list_add_tail(&conn->node, &bs->peers);
	bs->npeers++;
	return conn;
}

static int bertha_dgram_start(struct bertha_sock *bs,
			      const struct sockaddr_bertha *addr)
{
	struct bertha_conn *conn;
	int err;

	conn = bertha_dgram_add(bs, addr);
	if (IS_ERR(conn))
		return PTR_ERR(conn);
	conn->local = bs->port->local;
	conn->cookie = get_random_u64();
	conn->hello_tries = 1;
	conn->hello_due = jiffies + BERTHA_HELLO_RTO;
	bertha_local_offer(bs, conn);
	err = bertha_hello_send(bs, conn);
	if (err && err != -ENOMEM) {
		bertha_dgram_forget(bs, conn);
		return err;
	}
	mod_delayed_work(bertha_wq, &bs->hello_work, BERTHA_HELLO_RTO);
	return 0;
}

/* Negotiated with @addr, or failed, or no negotiation under way? */
static bool bertha_dgram_settled(struct bertha_sock *bs,
				 const struct sockaddr_bertha *addr)
{
	struct bertha_conn *conn = bertha_dgram_find(bs, addr);

	return !conn || conn->binding || conn->err;
}

/**
 * bertha_dgram_sendmsg() - sendto(2) on a SOCK_DGRAM socket
 * @bs: the socket
 * @msg: the message; msg_name is the validated peer address
 * @len: its length
 *
 * Return: @len; -EMSGSIZE; -EAGAIN while a first negotiation is under way
 * and the call may not wait; the negotiation's errno (a refusal's, or
 * -ETIMEDOUT), reported once; -ENOBUFS with too many peers; -EINTR.
 */
int bertha_dgram_sendmsg(struct bertha_sock *bs, struct msghdr *msg,
			 size_t len)
{
	const struct sockaddr_bertha *addr = msg->msg_name;
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = &bs->sk;
	struct bertha_conn *conn;
	bool fresh;
	long timeo;
	int err;

	if (len > BERTHA_MSG_MAX)
		return -EMSGSIZE;

	lock_sock(sk);
	fresh = !bs->port;
	err = bertha_transport_autobind(bs, addr->sbe_ip_family);
	if (err)
		goto out;
	if (fresh)
		bertha_dgram_bind(bs);
	/* a chunnel may answer for the socket (a shard socket, its group's
	 * peers) without negotiating
	 */
	if (!bertha_dgram_find_live(bs, addr)) {
		err = bertha_chunnel_sock_sendmsg(bs, msg, len);
		if (err != -ENOENT)
			goto out;
	}

	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		conn = bertha_dgram_find_live(bs, addr);
		err = 0;
		if (!conn)
			err = bertha_dgram_start(bs, addr);
		else if (conn->err)
			err = conn->err;
		else if (conn->binding)
			break;
		if (err) {
			/* Report a failure once; the next send tries again. */
			if (conn)
				bertha_dgram_forget(bs, conn);
			conn = NULL;
			break;
		}
		err = -EAGAIN;
		if (!timeo)
			break;
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			break;
		sk_wait_event(sk, &timeo, bertha_dgram_settled(bs, addr), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	if (conn && conn->binding) {
		err = READ_ONCE(conn->failed);
		if (!err)
			err = conn->path == BERTHA_PATH_LOCAL ?
			      bertha_local_xmit(bs, conn, msg, len) :
			      bertha_conn_xmit(bs, conn, msg, len);
		/* The peer on the local path closed as we sent: the message
		 * is lost as on the network, but said, as the next sendto()
		 * after a CLOSE would.
		 */
		if (err == -EPIPE && conn->path == BERTHA_PATH_LOCAL) {
			bertha_dgram_forget(bs, conn);
			err = -ECONNREFUSED;
		} else if (READ_ONCE(conn->failed)) {
			/* a chunnel gave up: the next send negotiates afresh */
			err = READ_ONCE(conn->failed);
			bertha_dgram_forget(bs, conn);
		}
	}
out:
	release_sock(sk);
	return err;
}

/**
 * bertha_dgram_hello() - a HELLO from a new address
 * @bs: the socket, locked
 * @hello: the HELLO
 * @attrs: its attributes
 * @from: its source
 * @client_id: the sender's connection id
 * @cookie: the sender's cookie
 *
 * Return: 0 (answered, or dropped for want of room), or a positive
 * &enum bertha_reject_reason to refuse with.
 */
int bertha_dgram_hello(struct bertha_sock *bs, struct sk_buff *hello,
		       const struct nlattr **attrs,
		       const struct sockaddr_bertha *from, u32 client_id,
		       u64 cookie)
{
	struct bertha_binding_set *b;
	struct bertha_conn *conn;
	struct bertha_dag *dag;
	bool unlocked;
	int ret;

	if (bertha_dgram_full(bs)) {
		atomic64_inc(&bs->cnt.hello_backlog_drops);
		return 0;
	}
	ret = bertha_negotiate_setup(bs, hello, attrs, from, &b, &dag,
				     &unlocked);
	if (ret)
		return ret < 0 ? 0 : ret;
	/* A helper was asked without the lock: the socket may have closed. */
	if (unlocked && (READ_ONCE(bs->port->listener) != bs ||
			 bertha_dgram_full(bs))) {
		bertha_binding_free(b);
		kfree(dag);
		return 0;
	}
	conn = bertha_dgram_add(bs, from);
	if (IS_ERR(conn))
		goto err;
	bertha_skb_dest(hello, &conn->local);
	conn->peer_id = client_id;
	conn->cookie = cookie;
	/* the chunnels start knowing the path */
	bertha_local_join(conn, attrs, b);
	/* before the ACCEPT: the client's first DATA may follow at once */
	ret = bertha_binding_install(b, conn, false, dag);
	if (ret) {
		/* the chunnels go before the connection they point at */
		bertha_binding_free(b);
		/* the client hears of it by the answer to its HELLO */
		bertha_local_abandon(conn);
		bertha_dgram_forget(bs, conn);
		kfree(dag);
		/* no memory: the retransmitted HELLO may fare better */
		return ret == -ENOMEM ? 0 : BERTHA_REJECT_NO_IMPLEMENTATION;
	}
	/* softirq may use the binding as soon as it sees it */
	smp_store_release(&conn->binding, b);
	bertha_ctrl_reply(bs->port, hello, from, client_id, BERTHA_WIRE_ACCEPT,
			  bertha_accept_build(conn, dag));
	kfree(dag);
	bertha_count_accept(bs, b);
	bertha_conn_event(bs, conn, BERTHA_CMD_CONN_ESTABLISHED_NTF);
	return 0;
err:
	bertha_binding_free(b);
	kfree(dag);
	return ret;
}

/**
 * bertha_dgram_ctrl_rcv() - ACCEPT, REJECT or CLOSE for one of the peers
 * @bs: the socket, locked
 * @conn: the peer
 * @type: &enum bertha_wire_type
 * @flags: the header's flags
 * @skb: the datagram
 */
void bertha_dgram_ctrl_rcv(struct bertha_sock *bs, struct bertha_conn *conn,
			   u8 type, u16 flags, struct sk_buff *skb)
{
	const struct nlattr *attrs[BERTHA_WIRE_A_MAX + 1];
	bool pending = !conn->binding && !conn->err;
	struct bertha_dag *dag;
	u32 reason;

	switch (type) {
	case BERTHA_WIRE_ACCEPT:
		if (!pending)
			break;
		conn->err = bertha_accept_take(bs, conn, skb, &dag);
		kfree(dag);	/* the socket's DAG stays what it set */
		if (conn->err)
			bertha_local_close(conn);
		else
			bertha_local_confirm(conn);
		break;
	case BERTHA_WIRE_REJECT:
		if (!pending)
			break;
		if (bertha_ctrl_parse(skb, attrs) ||
		    !attrs[BERTHA_WIRE_A_REASON]) {
			atomic64_inc(&bs->port->rx_malformed);
			break;
		}
		reason = nla_get_u32(attrs[BERTHA_WIRE_A_REASON]);
		bertha_count_reject(bs, reason);
		bertha_dgram_fail(conn, bertha_reject_errno(reason));
		break;
	case BERTHA_WIRE_CLOSE:
		/* The peer went away: the next send negotiates afresh. */
		if (conn->binding)
			bertha_dgram_forget(bs, conn);
		break;
	}
	bs->sk.sk_state_change(&bs->sk);
}

/**
 * bertha_dgram_unreachable() - a datagram sent to one of the peers came
 *	back as an ICMP error (icmp.c)
 * @bs: the socket, locked
 * @conn: the peer
 * @err: the error, a negative errno
 * @type: the quoted datagram's &enum bertha_wire_type
 * @id: the connection id in its header
 *
 * A negotiation under way fails with @err, which the waiting or the next
 * sendto() reports; a negotiated peer whose port is gone (%ECONNREFUSED)
 * is forgotten, as after its CLOSE, so the next sendto() negotiates
 * afresh and reports what it finds.
 *
 * Return: true if the error was about a datagram @conn sends now.
 */
bool bertha_dgram_unreachable(struct bertha_sock *bs, struct bertha_conn *conn,
			      int err, u8 type, u32 id)
{
	if (!conn->binding && !conn->err) {
		if (type != BERTHA_WIRE_HELLO)
			return false;
		bertha_dgram_fail(conn, err);
		bs->sk.sk_state_change(&bs->sk);
		return true;
	}
	if (!conn->binding || !conn->peer_id || id != conn->peer_id ||
	    (type != BERTHA_WIRE_DATA && type != BERTHA_WIRE_CHUNNEL))
		return false;
	if (err == -ECONNREFUSED)
		bertha_dgram_forget(bs, conn);
	else
		WRITE_ONCE(bs->sk.sk_err_soft, -err);
	return true;
}

/**
 * bertha_dgram_hello_timer() - retransmit due HELLOs, fail expired ones
 * @bs: the socket, locked
 */
void bertha_dgram_hello_timer(struct bertha_sock *bs)
{
	unsigned long now = jiffies, next = now + BERTHA_HELLO_RTO;
	bool pending = false, failed = false;
	struct bertha_conn *conn;

	list_for_each_entry(conn, &bs->peers, node) {
		if (conn->binding || conn->err)
			continue;
		if (time_before(now, conn->hello_due))
			goto track;
		if (conn->hello_tries > BERTHA_HELLO_RETRIES) {
			bertha_dgram_fail(conn, -ETIMEDOUT);
			failed = true;
			continue;
		}
		atomic64_inc(&bs->cnt.hello_retransmits);
		conn->hello_tries++;
		conn->hello_due = now + (BERTHA_HELLO_RTO <<
					 (conn->hello_tries - 1));
		bertha_hello_send(bs, conn);
track:
		if (!pending || time_before(conn->hello_due, next))
			next = conn->hello_due;
		pending = true;
	}
	if (pending)
		mod_delayed_work(bertha_wq, &bs->hello_work,
				 max_t(long, 1, next - now));
	if (failed)
		bs->sk.sk_state_change(&bs->sk);
}

/**
 * bertha_dgram_release() - say goodbye to every peer and withdraw them
 * @bs: the socket, locked, being released
 * @dead: where the peers go, for bertha_dgram_free() once unlocked
 */
void bertha_dgram_release(struct bertha_sock *bs, struct list_head *dead)
{
	struct bertha_conn *conn, *tmp;

	bertha_chunnel_sock_release(bs);
	list_for_each_entry_safe(conn, tmp, &bs->peers, node) {
		if (conn->binding)
			bertha_send_close(bs, conn, 0);
		bertha_port_conn_del(bs->port, conn);
		list_move_tail(&conn->node, dead);
	}
	bs->npeers = 0;
}

/**
 * bertha_dgram_free() - free withdrawn peers
 * @dead: the list bertha_dgram_release() filled
 *
 * Context: process context; see bertha_binding_retire().
 */
void bertha_dgram_free(struct list_head *dead)
{
	struct bertha_conn *conn, *tmp;
	bool wait = false;

	list_for_each_entry(conn, dead, node) {
		if (conn->binding)
			bertha_conn_event(conn->bs, conn,
					  BERTHA_CMD_CONN_CLOSED_NTF);
		/* before its binding goes: the local path's peer uses it */
		bertha_local_close(conn);
		wait |= bertha_binding_retire_start(conn->binding);
	}
	/* one grace period for every peer, not one each */
	if (wait)
		synchronize_rcu();
	list_for_each_entry_safe(conn, tmp, dead, node) {
		bertha_binding_retire_finish(conn->binding);
		kfree_rcu(conn, rcu);
	}
}

/**
 * bertha_dgram_binding() - getsockopt(BERTHA_BINDING) on a SOCK_DGRAM socket
 * @bs: the socket
 * @optval: user buffer; starts with the peer's &struct sockaddr_bertha
 * @optlen: user length; set to the size written, or needed on -ERANGE
 * @len: the caller's buffer size
 *
 * Return: 0; -EINVAL when @len cannot hold an address; -ENOTCONN when
 * that peer is not negotiated, or closed; the errors of
 * bertha_binding_to_user().
 */
int bertha_dgram_binding(struct bertha_sock *bs, char __user *optval,
			 int __user *optlen, int len)
{
	struct sockaddr_bertha addr;
	struct bertha_conn *conn;
	int err;

	if (len < (int)sizeof(addr))
		return -EINVAL;
	if (copy_from_user(&addr, optval, sizeof(addr)))
		return -EFAULT;
	lock_sock(&bs->sk);
	conn = bertha_dgram_find(bs, &addr);
	if (!conn || !conn->binding || bertha_local_peer_gone(conn))
		err = -ENOTCONN;	/* forgotten at the next send */
	else
		err = bertha_binding_to_user(conn->binding, conn->path, optval,
					     optlen, len);
	release_sock(&bs->sk);
	return err;
}
