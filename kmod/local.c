// SPDX-License-Identifier: GPL-2.0
/*
 * The local fast path: two connected SEQPACKET sockets of this host, or a
 * SOCK_DGRAM socket and a peer it negotiated with, in one network
 * namespace or in two, pass messages straight onto each other's receive
 * queue instead of through UDP, IP and devices. A connection with a
 * chunnel that steers messages by address (``shard``) stays on the
 * network.
 *
 * The client offers a shortcut under its HELLO's random cookie. A listener
 * that receives a HELLO carrying this host's id and a cookie on offer
 * joins it and says so in its ACCEPT. The HELLO travelled the real network
 * path, so only the listener it reached can join, however many namespaces
 * share that listener's address. Either namespace's switch (the policy's
 * "local") keeps a connection on the network.
 *
 * Memory: a message of a connection stays charged to its sender's send
 * buffer until the receiver reads it, as with AF_UNIX SOCK_SEQPACKET, so a
 * slow reader makes the sender wait (or get EAGAIN) instead of the kernel
 * growing. A SOCK_DGRAM socket takes a message as from the network:
 * charged to its receive buffer, through its socket filter, and dropped
 * when full, so that one peer that does not read cannot make a socket
 * that serves many wait (it sends with its socket locked).
 */
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "bertha.h"
#include "binding.h"
#include "conn.h"
#include "dgram.h"
#include "local.h"
#include "negotiate.h"
#include "netns.h"
#include "registry.h"
#include "transport.h"
#include "wire.h"

enum {
	BERTHA_LOCAL_CLIENT,
	BERTHA_LOCAL_SERVER,
};

/**
 * struct bertha_shortcut - the local fast path between two connections
 * @refcnt: one per end still attached
 * @cookie: the client's HELLO cookie, the key while on offer
 * @node: in bertha_offers until a listener joins or the client gives up
 * @lock: guards @end, @confirmed and @pending
 * @end: the two connections (RCU); NULL once that end closed
 * @confirmed: the client took the ACCEPT, so it has a binding
 * @pending: what the server sent before that, in order
 * @rcu: frees it after senders are done
 */
struct bertha_shortcut {
	refcount_t refcnt;
	u64 cookie;
	struct hlist_node node;
	spinlock_t lock;	/* @end, @confirmed, @pending */
	struct bertha_conn __rcu *end[2];
	bool confirmed;
	struct sk_buff_head pending;
	struct rcu_head rcu;
};

/* Shortcuts clients offer while they negotiate, by cookie. */
static DEFINE_HASHTABLE(bertha_offers, 8);
static DEFINE_SPINLOCK(bertha_offers_lock);

static void bertha_local_put(struct bertha_shortcut *sc)
{
	if (refcount_dec_and_test(&sc->refcnt))
		kfree_rcu(sc, rcu);
}

/**
 * bertha_local_offer() - offer a connecting client's shortcut
 * @bs: the client socket, locked
 * @conn: its connection, with the HELLO's cookie
 *
 * Without memory, or with the namespace's switch off, the connection
 * simply stays on the network.
 */
void bertha_local_offer(struct bertha_sock *bs, struct bertha_conn *conn)
{
	struct bertha_shortcut *sc;

	if (!READ_ONCE(bertha_net(sock_net(&bs->sk))->local))
		return;
	sc = kzalloc(sizeof(*sc), GFP_KERNEL);
	if (!sc)
		return;
	refcount_set(&sc->refcnt, 1);
	sc->cookie = conn->cookie;
	spin_lock_init(&sc->lock);
	skb_queue_head_init(&sc->pending);
	RCU_INIT_POINTER(sc->end[BERTHA_LOCAL_CLIENT], conn);
	conn->shortcut = sc;
	conn->shortcut_end = BERTHA_LOCAL_CLIENT;
	spin_lock_bh(&bertha_offers_lock);
	hash_add(bertha_offers, &sc->node, sc->cookie);
	spin_unlock_bh(&bertha_offers_lock);
}

static void bertha_local_withdraw(struct bertha_shortcut *sc)
{
	spin_lock_bh(&bertha_offers_lock);
	if (!hlist_unhashed(&sc->node))
		hlist_del_init(&sc->node);
	spin_unlock_bh(&bertha_offers_lock);
}

static void bertha_local_count(struct bertha_conn *conn)
{
	conn->path = BERTHA_PATH_LOCAL;
	bertha_net_count(sock_net(&conn->bs->sk), BERTHA_STATS_A_LOCAL_PATH, 1);
}

/* Does a node of @b steer messages to other addresses and ports, which
 * the local path does not have? Such a connection stays on the network.
 */
static bool bertha_local_steers(const struct bertha_binding_set *b)
{
	unsigned int i;

	for (i = 0; i < b->count; i++)
		if (bertha_chunnel_type_flags(b->node[i].info.type) &
		    BERTHA_CHUNNEL_T_STEERS)
			return true;
	return false;
}

/**
 * bertha_local_join() - join the shortcut a HELLO's client offers
 * @conn: the listener's new connection (or SOCK_DGRAM peer) for that HELLO
 * @attrs: the HELLO's attributes
 * @b: the binding negotiation chose, not yet installed
 *
 * Context: process context; the listener is locked.
 */
void bertha_local_join(struct bertha_conn *conn, const struct nlattr **attrs,
		       const struct bertha_binding_set *b)
{
	struct bertha_shortcut *sc, *found = NULL;
	u64 host_id;

	if (!attrs[BERTHA_WIRE_A_HOST_ID] ||
	    !READ_ONCE(bertha_net(sock_net(&conn->bs->sk))->local) ||
	    bertha_local_steers(b))
		return;
	memcpy(&host_id, nla_data(attrs[BERTHA_WIRE_A_HOST_ID]),
	       sizeof(host_id));
	if (host_id != bertha_host_id)
		return;

	spin_lock_bh(&bertha_offers_lock);
	hash_for_each_possible(bertha_offers, sc, node, conn->cookie) {
		if (sc->cookie != conn->cookie)
			continue;
		spin_lock(&sc->lock);
		/* The client may have given up meanwhile. */
		if (rcu_access_pointer(sc->end[BERTHA_LOCAL_CLIENT])) {
			rcu_assign_pointer(sc->end[BERTHA_LOCAL_SERVER], conn);
			refcount_inc(&sc->refcnt);
			found = sc;
		}
		spin_unlock(&sc->lock);
		hlist_del_init(&sc->node);	/* taken */
		break;
	}
	spin_unlock_bh(&bertha_offers_lock);
	if (!found)
		return;
	conn->shortcut = found;
	conn->shortcut_end = BERTHA_LOCAL_SERVER;
	bertha_local_count(conn);
}

/**
 * bertha_local_put_accept() - say in an ACCEPT that the listener joined
 * @skb: the ACCEPT's payload
 * @conn: the listener's connection
 *
 * Return: 0 or -EMSGSIZE.
 */
int bertha_local_put_accept(struct sk_buff *skb, const struct bertha_conn *conn)
{
	return conn->path == BERTHA_PATH_LOCAL ?
	       nla_put_flag(skb, BERTHA_WIRE_A_LOCAL) : 0;
}

static void bertha_local_deliver(struct bertha_conn *to, struct sk_buff *skb)
{
	struct sk_buff_head *queue = &to->bs->sk.sk_receive_queue;
	struct bertha_sock *bs = to->bs;
	struct sock *sk = &bs->sk;
	unsigned long flags;
	bool shut;

	/* a binding without receive ops (identity) costs nothing here */
	switch (to->binding->has_rcv ?
		bertha_binding_rcv_local(to->binding, skb) : 0) {
	case 0:
		break;
	case 1:
		return;		/* a chunnel took it */
	default:
		goto dropped;	/* a chunnel refused it, and freed it */
	}
	/* as from the network: charged to the receiver (see the top) */
	if (sk->sk_type == SOCK_DGRAM) {
		bertha_dgram_set_source(skb, &to->peer);
		bertha_sock_queue(bs, skb);
		return;
	}
	/* Still charged to the sender: reading it gives the space back.
	 * Checked under the queue's lock, because release() shuts down and
	 * then purges the queue, which breaks the cycle two closed sockets
	 * holding each other's messages would otherwise make.
	 */
	spin_lock_irqsave(&queue->lock, flags);
	shut = READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN;
	if (!shut)
		__skb_queue_tail(queue, skb);
	spin_unlock_irqrestore(&queue->lock, flags);
	if (shut)
		goto drop;
	atomic64_inc(&bs->cnt.rx_messages);
	sk->sk_data_ready(sk);
	return;
drop:
	kfree_skb(skb);
dropped:
	atomic64_inc(&bs->cnt.rx_dropped);
}

/**
 * bertha_local_decide() - the client's path, as its listener's ACCEPT says
 * @conn: the client's connection, not yet bound
 * @skb: the ACCEPT
 *
 * An ACCEPT that does not say the listener joined keeps the connection on
 * the network, and the shortcut goes.
 *
 * Context: process context; the client is locked.
 * Return: &enum bertha_path.
 */
u32 bertha_local_decide(struct bertha_conn *conn, struct sk_buff *skb)
{
	const struct nlattr *attrs[BERTHA_WIRE_A_MAX + 1];
	struct bertha_shortcut *sc = conn->shortcut;
	bool joined;

	if (!sc)
		return BERTHA_PATH_NETWORK;
	bertha_local_withdraw(sc);
	joined = !bertha_ctrl_parse(skb, attrs) && attrs[BERTHA_WIRE_A_LOCAL];
	spin_lock_bh(&sc->lock);
	joined = joined && rcu_access_pointer(sc->end[BERTHA_LOCAL_SERVER]);
	spin_unlock_bh(&sc->lock);
	if (!joined) {
		bertha_local_close(conn);
		return BERTHA_PATH_NETWORK;
	}
	bertha_local_count(conn);
	return BERTHA_PATH_LOCAL;
}

/**
 * bertha_local_confirm() - the client's binding is in place
 * @conn: the client's connection, bound, on the path bertha_local_decide()
 *	chose
 *
 * Messages the server sent meanwhile are delivered now, in order.
 *
 * Context: process context; the client is locked.
 */
void bertha_local_confirm(struct bertha_conn *conn)
{
	struct bertha_shortcut *sc = conn->shortcut;
	struct sk_buff *msg;

	if (!sc)
		return;
	spin_lock_bh(&sc->lock);
	while ((msg = __skb_dequeue(&sc->pending)))
		bertha_local_deliver(conn, msg);
	/* pairs with the acquire in bertha_local_xmit(): the binding first */
	smp_store_release(&sc->confirmed, true);
	spin_unlock_bh(&sc->lock);
}

/* The peer closed, or shut down a side, as CLOSE @flags say. A SOCK_DGRAM
 * socket has other peers: it finds out at its next send to this one
 * (bertha_local_peer_gone()), as its CLOSE would have told it.
 */
static void bertha_local_notify(struct bertha_conn *conn, u16 flags)
{
	struct bertha_shortcut *sc = conn->shortcut;
	struct bertha_conn *peer;

	rcu_read_lock();
	peer = rcu_dereference(sc->end[!conn->shortcut_end]);
	if (peer && peer->bs->sk.sk_type != SOCK_DGRAM)
		bertha_sock_peer_closed(peer->bs, flags);
	rcu_read_unlock();
}

/**
 * bertha_local_peer_gone() - has the peer of a connection on the local
 *	path closed?
 * @conn: a negotiated connection
 *
 * Return: true if @conn is on the local path and its peer's end is gone.
 */
bool bertha_local_peer_gone(const struct bertha_conn *conn)
{
	const struct bertha_shortcut *sc = conn->shortcut;

	return conn->path == BERTHA_PATH_LOCAL && sc &&
	       !rcu_access_pointer(sc->end[!conn->shortcut_end]);
}

/**
 * bertha_local_shutdown() - tell the peer this end stops sending, or closes
 * @conn: a connection on the local path
 * @flags: CLOSE flags (%BERTHA_CLOSE_F_WRITE, ...), or 0 for a close
 */
void bertha_local_shutdown(struct bertha_conn *conn, u16 flags)
{
	bertha_local_notify(conn, flags);
}

static void __bertha_local_close(struct bertha_conn *conn, bool notify)
{
	struct bertha_shortcut *sc = conn->shortcut;
	struct sk_buff_head pending;

	if (!sc)
		return;
	bertha_local_withdraw(sc);
	if (notify)
		bertha_local_notify(conn, 0);
	__skb_queue_head_init(&pending);
	spin_lock_bh(&sc->lock);
	RCU_INIT_POINTER(sc->end[conn->shortcut_end], NULL);
	skb_queue_splice_init(&sc->pending, &pending);
	spin_unlock_bh(&sc->lock);
	__skb_queue_purge(&pending);
	conn->shortcut = NULL;
	bertha_local_put(sc);
}

/**
 * bertha_local_close() - detach a closing connection from its shortcut
 * @conn: the connection; may have none
 *
 * The peer sees end of stream after what it has already received. Must
 * run before @conn is freed.
 */
void bertha_local_close(struct bertha_conn *conn)
{
	__bertha_local_close(conn, true);
}

/**
 * bertha_local_abandon() - leave a shortcut the listener joined for a
 *	connection it then failed to set up
 * @conn: the listener's connection; may have none
 *
 * The client is not connected yet: it learns the outcome from the answer
 * to its HELLO, and its socket stays as it was.
 */
void bertha_local_abandon(struct bertha_conn *conn)
{
	__bertha_local_close(conn, false);
}

/**
 * bertha_local_xmit() - send one message over the local path
 * @bs: the socket
 * @conn: its connection; on the local path
 * @msg: the message
 * @len: its length, at most %BERTHA_MSG_MAX
 *
 * Return: @len; -EPIPE when the peer is gone; -EAGAIN, -EINTR or a
 * chunnel's error.
 */
int bertha_local_xmit(struct bertha_sock *bs, struct bertha_conn *conn,
		      struct msghdr *msg, size_t len)
{
	struct bertha_shortcut *sc = conn->shortcut;
	struct sock *sk = &bs->sk;
	struct bertha_conn *peer;
	size_t data_len = 0;
	struct sk_buff *skb;
	int err;

	/* A large message goes in pages rather than one costly linear
	 * buffer, as AF_UNIX does, unless a send op needs it linear.
	 */
	if (len > SKB_MAX_ALLOC && !conn->binding->has_xmit)
		data_len = PAGE_ALIGN(min_t(size_t, len - SKB_MAX_ALLOC,
					    MAX_SKB_FRAGS * PAGE_SIZE));
	/* Waits for send buffer space as SO_SNDBUF, SO_SNDTIMEO and
	 * MSG_DONTWAIT say; the space comes back as the peer reads. A
	 * SOCK_DGRAM socket, locked, never waits: its messages leave its
	 * account as they are delivered.
	 */
	skb = sock_alloc_send_pskb(sk, len - data_len, data_len,
				   (msg->msg_flags & MSG_DONTWAIT) ||
				   sk->sk_type == SOCK_DGRAM, &err,
				   PAGE_ALLOC_COSTLY_ORDER);
	if (!skb)
		return err;
	skb_put(skb, len - data_len);
	skb->data_len = data_len;
	skb->len = len;
	err = skb_copy_datagram_from_iter(skb, 0, &msg->msg_iter, len);
	if (err)
		goto drop;
	err = conn->binding->has_xmit ?
	      bertha_binding_xmit_local(conn->binding, skb) : 0;
	if (err < 0)
		return err;	/* a chunnel refused it, and freed it */
	if (err)
		goto sent;	/* a chunnel took it */

	/* Only the server can be ahead of the client's ACCEPT. */
	if (!smp_load_acquire(&sc->confirmed)) {
		spin_lock_bh(&sc->lock);
		if (!sc->confirmed &&
		    rcu_access_pointer(sc->end[BERTHA_LOCAL_CLIENT])) {
			__skb_queue_tail(&sc->pending, skb);
			spin_unlock_bh(&sc->lock);
			goto sent;
		}
		spin_unlock_bh(&sc->lock);
	}
	rcu_read_lock();
	peer = rcu_dereference(sc->end[!conn->shortcut_end]);
	if (!peer) {
		rcu_read_unlock();
		err = -EPIPE;
		goto drop;
	}
	/* A closing peer's socket lives until readers like us are done
	 * (SOCK_RCU_FREE); what we queue now is freed with it.
	 */
	bertha_local_deliver(peer, skb);
	rcu_read_unlock();
sent:
	atomic64_inc(&bs->cnt.tx_messages);
	return len;
drop:
	kfree_skb(skb);
	return err;
}
