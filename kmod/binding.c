// SPDX-License-Identifier: GPL-2.0
/*
 * The binding of a connection: the implementation negotiation chose for
 * each chunnel, the per-connection state of the nodes that run at this end,
 * and the message path through their ops: DAG order on transmit, reverse
 * order on receive. This is the only place that calls a chunnel's
 * per-connection ops; it never knows which chunnel it calls.
 */
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/udp.h>

#include "bertha.h"
#include "binding.h"
#include "conn.h"
#include "dag.h"
#include "registry.h"
#include "setup.h"
#include "transport.h"
#include "wire.h"

/* What runs for node @n at this end: its implementation's ops when it runs
 * here and has some, else the type's ops for nodes bound elsewhere.
 */
static const struct bertha_chunnel_ops *
bertha_node_ops(const struct bertha_bound *n)
{
	if (n->impl && n->impl->ops)
		return n->impl->ops;
	return n->type ? n->type->peer_ops : NULL;
}

/**
 * bertha_binding_install() - run the init op of every node that runs here
 * @b: a binding whose local implementations are held, not yet visible to
 *	softirq
 * @conn: its connection, whose path is decided
 * @initiator: whether this end sent the HELLO
 * @dag: the DAG in effect, for the nodes' arguments, or NULL
 *
 * Each node's &bertha_chunnel_conn.peer_attrs is what negotiation found
 * of the peer's (in the HELLO or ACCEPT, which the caller still holds).
 *
 * An implementation flagged %BERTHA_CHUNNEL_F_ELIDE_LOCAL does not run on
 * the local fast path; its node reports %BERTHA_WHERE_ELIDED.
 *
 * Context: process context.
 * Return: 0, or the first init error (free @b with bertha_binding_free()).
 */
int bertha_binding_install(struct bertha_binding_set *b,
			   struct bertha_conn *conn, bool initiator,
			   const struct bertha_dag *dag)
{
	const struct nlattr *args[BERTHA_DAG_MAX_NODES] = {};
	const struct bertha_chunnel_ops *ops;
	unsigned int i;
	int err;

	bertha_dag_binding_args(dag, b, args);
	for (i = 0; i < b->count; i++) {
		struct bertha_bound *n = &b->node[i];
		struct bertha_chunnel_conn *cc = &n->cc;

		cc->conn = conn;
		cc->sk = &conn->bs->sk;
		cc->initiator = initiator;
		cc->index = i;
		cc->path = conn->path;
		spin_lock_init(&cc->timer_lock);
		INIT_LIST_HEAD(&cc->timers);
		if (n->impl && (n->impl->flags & BERTHA_CHUNNEL_F_ELIDE_LOCAL) &&
		    conn->path == BERTHA_PATH_LOCAL) {
			n->info.where = BERTHA_WHERE_ELIDED;
			cc->peer_attrs = NULL;
			continue;
		}
		n->type = bertha_chunnel_type_get(n->info.type);
		ops = bertha_node_ops(n);
		if (!ops) {
			bertha_chunnel_type_put(n->type);
			n->type = NULL;
			cc->peer_attrs = NULL;
			continue;
		}
		cc->impl = n->impl;
		cc->type = n->type;
		cc->where = n->info.where;
		cc->args = args[i];
		err = ops->init ? ops->init(cc) : 0;
		cc->args = NULL;
		cc->peer_attrs = NULL;
		if (err) {
			bertha_chunnel_type_put(n->type);
			n->type = NULL;
			return err;
		}
		n->ops = ops;
		b->has_rcv |= ops->rcv || ops->ctrl_rcv || ops->peer_match;
		b->has_xmit |= !!ops->xmit;
	}
	return 0;
}

/* No timer of the binding runs or can be armed after this. */
static void bertha_binding_stop(struct bertha_binding_set *b)
{
	struct bertha_chunnel_timer *t;
	unsigned int i;

	for (i = 0; i < b->count; i++) {
		struct bertha_chunnel_conn *cc = &b->node[i].cc;

		if (!b->node[i].ops)
			continue;
		spin_lock_bh(&cc->timer_lock);
		cc->stopping = true;
		spin_unlock_bh(&cc->timer_lock);
		/* the list only grows under the lock, never while stopping */
		list_for_each_entry(t, &cc->timers, node)
			del_timer_sync(&t->timer);
	}
}

static void bertha_binding_teardown(struct bertha_binding_set *b)
{
	unsigned int i;

	for (i = b->count; i--; ) {
		struct bertha_bound *n = &b->node[i];

		if (n->ops && n->ops->release)
			n->ops->release(&n->cc);
		n->ops = NULL;
		bertha_chunnel_type_put(n->type);
		n->type = NULL;
		if (!n->impl)
			continue;
		bertha_setup_teardown(n);
		bertha_chunnel_put(n->impl);
		n->impl = NULL;
	}
}

/**
 * bertha_binding_free() - tear down and free a binding softirq never saw
 * @b: the binding, or NULL
 *
 * Context: process context.
 */
void bertha_binding_free(struct bertha_binding_set *b)
{
	if (!b)
		return;
	bertha_binding_stop(b);
	bertha_binding_teardown(b);
	kfree(b);
}

/**
 * bertha_binding_retire() - tear down and free the binding of a connection
 *	whose id was just withdrawn
 * @b: the binding, or NULL
 *
 * Softirq may still be delivering to the connection. Only when an op could
 * be running there does this wait for it (an RCU grace period) before the
 * release ops run; the memory itself goes after one, so closing is
 * otherwise immediate.
 *
 * Context: process context.
 */
void bertha_binding_retire(struct bertha_binding_set *b)
{
	if (bertha_binding_retire_start(b))
		synchronize_rcu();
	bertha_binding_retire_finish(b);
}

/**
 * bertha_binding_retire_start() - the first half of bertha_binding_retire(),
 *	for a caller that retires many bindings with one grace period
 * @b: the binding, or NULL
 *
 * Context: process context.
 * Return: true if softirq may still be running an op of @b: wait for an
 * RCU grace period before bertha_binding_retire_finish().
 */
bool bertha_binding_retire_start(struct bertha_binding_set *b)
{
	if (!b)
		return false;
	bertha_binding_stop(b);
	return b->has_rcv || b->has_xmit;
}

/**
 * bertha_binding_retire_finish() - the second half: release and free
 * @b: the binding, or NULL
 *
 * Context: process context.
 */
void bertha_binding_retire_finish(struct bertha_binding_set *b)
{
	if (!b)
		return;
	bertha_binding_teardown(b);
	kfree_rcu(b, rcu);
}

/* The last step of transmission: the wire. */
static int bertha_binding_wire(struct bertha_conn *conn, struct sk_buff *skb,
			       const struct bertha_xmit *x)
{
	struct sockaddr_bertha to = conn->peer;
	struct bertha_port *port = conn->bs->port;
	const struct sockaddr_bertha *src = &conn->local;

	if (x->dport)
		to.sbe_port = x->dport;
	if (x->from) {
		port = bertha_sk(x->from)->port;
		src = NULL;
	}
	return bertha_port_send(port, src, &to, BERTHA_WIRE_DATA, conn->peer_id,
				x->flags, skb);
}

/* Run the xmit ops of nodes @start.. of @conn's binding, then send. */
static int bertha_binding_xmit_from(struct bertha_conn *conn,
				    unsigned int start, struct sk_buff *skb,
				    struct bertha_xmit *x)
{
	struct bertha_binding_set *b = READ_ONCE(conn->binding);
	unsigned int i;
	int ret;

	for (i = start; i < b->count; i++) {
		struct bertha_bound *n = &b->node[i];

		if (!n->ops || !n->ops->xmit)
			continue;
		ret = n->ops->xmit(&n->cc, skb, x);
		if (ret < 0) {
			kfree_skb(skb);
			return ret;
		}
		if (ret == BERTHA_CHUNNEL_STOLEN)
			return 0;
	}
	return bertha_binding_wire(conn, skb, x);
}

/**
 * bertha_binding_xmit() - send one message through a connection's chunnels
 * @conn: a negotiated connection on the network path
 * @skb: the message, linear, with %BERTHA_HEADROOM +
 *	%BERTHA_CHUNNEL_HEADROOM in front; consumed
 * @from: the socket whose port sends it, or NULL for the connection's
 *
 * Return: 0, or the error of an op or of routing.
 */
int bertha_binding_xmit(struct bertha_conn *conn, struct sk_buff *skb,
			struct sock *from)
{
	struct bertha_xmit x = { .from = from };

	return bertha_binding_xmit_from(conn, 0, skb, &x);
}

/**
 * bertha_binding_xmit_local() - the xmit ops of a local path message
 * @b: the binding
 * @skb: the message; on error it is freed
 *
 * Return: 0 to deliver @skb, 1 when an op took it, or an op's error.
 */
int bertha_binding_xmit_local(struct bertha_binding_set *b,
			      struct sk_buff *skb)
{
	struct bertha_xmit x = {};
	unsigned int i;
	int ret;

	for (i = 0; i < b->count; i++) {
		struct bertha_bound *n = &b->node[i];

		if (!n->ops || !n->ops->xmit)
			continue;
		ret = n->ops->xmit(&n->cc, skb, &x);
		if (ret < 0) {
			kfree_skb(skb);
			return ret;
		}
		if (ret == BERTHA_CHUNNEL_STOLEN)
			return 1;
	}
	return 0;
}

/* A message an op refused: freed, and counted as its errno says. */
static void bertha_binding_drop(struct bertha_conn *conn, struct sk_buff *skb,
				int err)
{
	struct bertha_sock *bs = conn->bs;

	if (err == -EPROTO && bs->port)
		atomic64_inc(&bs->port->rx_malformed);
	else if (err == -EBADMSG && bs->port)
		atomic64_inc(&bs->port->rx_unexpected);
	else
		atomic64_inc(&bs->cnt.rx_dropped);
	kfree_skb(skb);
}

/* Run the rcv ops of the nodes before @end, last first, then queue. */
static int bertha_binding_rcv_to(struct bertha_conn *conn,
				 struct bertha_binding_set *b, unsigned int end,
				 struct sk_buff *skb, struct bertha_rcv *rx)
{
	unsigned int i;
	int ret;

	for (i = end; i--; ) {
		struct bertha_bound *n = &b->node[i];

		if (!n->ops || !n->ops->rcv)
			continue;
		rx->err = 0;
		ret = n->ops->rcv(&n->cc, skb, rx);
		if (ret == BERTHA_CHUNNEL_STOLEN)
			return rx->err;
		if (ret < 0) {
			bertha_binding_drop(conn, skb, ret);
			return ret;
		}
	}
	return bertha_conn_deliver(conn, rx->to, skb);
}

/**
 * bertha_binding_rcv() - a DATA datagram for a negotiated connection
 * @conn: the connection
 * @b: its binding
 * @skb: the message (headers pulled); consumed
 * @flags: the DATA header's flags
 *
 * Context: softirq, under rcu_read_lock().
 * Return: 0 when it was queued or taken by a chunnel, else an error.
 */
int bertha_binding_rcv(struct bertha_conn *conn, struct bertha_binding_set *b,
		       struct sk_buff *skb, u16 flags)
{
	struct bertha_rcv rx = {
		.flags = flags,
		.port = udp_hdr(skb)->dest,
	};

	return bertha_binding_rcv_to(conn, b, b->count, skb, &rx);
}

/**
 * bertha_binding_rcv_local() - the rcv ops of a local path message
 * @b: the binding
 * @skb: the message; on error it is freed
 *
 * Context: any; under rcu_read_lock().
 * Return: 0 to queue @skb, 1 when an op took it, or an op's error.
 */
int bertha_binding_rcv_local(struct bertha_binding_set *b, struct sk_buff *skb)
{
	struct bertha_rcv rx = {};
	unsigned int i;
	int ret;

	for (i = b->count; i--; ) {
		struct bertha_bound *n = &b->node[i];

		if (!n->ops || !n->ops->rcv)
			continue;
		ret = n->ops->rcv(&n->cc, skb, &rx);
		if (ret == BERTHA_CHUNNEL_STOLEN)
			return 1;
		if (ret < 0) {
			kfree_skb(skb);
			return ret;
		}
	}
	return 0;
}

/**
 * bertha_binding_ctrl_rcv() - a chunnel's control datagram
 * @conn: the connection
 * @b: its binding
 * @skb: the datagram (headers pulled); consumed
 * @flags: the header's flags: node index << 8 | sub-type
 *
 * Context: softirq, under rcu_read_lock().
 */
void bertha_binding_ctrl_rcv(struct bertha_conn *conn,
			     struct bertha_binding_set *b, struct sk_buff *skb,
			     u16 flags)
{
	unsigned int index = flags >> 8;
	struct bertha_bound *n;
	int err = -EBADMSG;

	if (index < b->count) {
		n = &b->node[index];
		if (n->ops && n->ops->ctrl_rcv)
			err = n->ops->ctrl_rcv(&n->cc, flags & 0xff, skb);
	}
	if (err == -EPROTO)
		atomic64_inc(&conn->bs->port->rx_malformed);
	else if (err)
		atomic64_inc(&conn->bs->port->rx_unexpected);
	consume_skb(skb);
}

/**
 * bertha_binding_peer_match() - may a connection take a datagram that did
 *	not come from its peer's address?
 * @conn: the connection
 * @skb: the datagram (data at the UDP header)
 *
 * Context: softirq, under rcu_read_lock().
 * Return: true if a chunnel of its binding says so.
 */
bool bertha_binding_peer_match(struct bertha_conn *conn,
			       const struct sk_buff *skb)
{
	/* pairs with the release that publishes the binding */
	struct bertha_binding_set *b = smp_load_acquire(&conn->binding);
	unsigned int i;

	if (!b || !b->has_rcv)
		return false;
	for (i = 0; i < b->count; i++) {
		struct bertha_bound *n = &b->node[i];

		if (n->ops && n->ops->peer_match &&
		    n->ops->peer_match(&n->cc, skb))
			return true;
	}
	return false;
}

/**
 * bertha_binding_shutdown() - the sending side closes: the chunnels' say
 * @b: the binding
 *
 * Context: process context, socket locked.
 * Return: true if a chunnel tells the peer itself.
 */
bool bertha_binding_shutdown(struct bertha_binding_set *b)
{
	bool told = false;
	unsigned int i;

	for (i = 0; i < b->count; i++) {
		struct bertha_bound *n = &b->node[i];

		if (n->ops && n->ops->shutdown && n->ops->shutdown(&n->cc))
			told = true;
	}
	return told;
}

/**
 * bertha_binding_can_flush() - does close() have anything to wait for?
 * @b: the binding
 *
 * Return: true if a chunnel has a flush op.
 */
bool bertha_binding_can_flush(const struct bertha_binding_set *b)
{
	unsigned int i;

	for (i = 0; i < b->count; i++)
		if (b->node[i].ops && b->node[i].ops->flush)
			return true;
	return false;
}

/**
 * bertha_binding_flush() - wait, at most @timeo, for the chunnels to flush
 * @b: the binding
 * @timeo: jiffies
 *
 * Context: process context, socket not locked.
 */
void bertha_binding_flush(struct bertha_binding_set *b, long timeo)
{
	unsigned long end = jiffies + timeo;
	unsigned int i;

	for (i = b->count; i--; ) {
		struct bertha_bound *n = &b->node[i];
		long left = (long)(end - jiffies);

		if (n->ops && n->ops->flush && left > 0)
			n->ops->flush(&n->cc, left);
	}
}

/* A node op's own attributes, in a nest of their own (none: no nest). */
static int bertha_node_nest_put(struct bertha_bound *n, struct sk_buff *skb,
				int attr,
				int (*put)(struct bertha_chunnel_conn *cc,
					   struct sk_buff *skb))
{
	struct nlattr *nest;
	int err;

	if (!put)
		return 0;
	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	err = put(&n->cc, skb);
	if (err) {
		nla_nest_cancel(skb, nest);
		return err;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * bertha_binding_accept_put() - the nodes' own attributes in an ACCEPT
 * @b: the binding
 * @index: the node
 * @skb: the ACCEPT, inside the node's nest
 *
 * Return: 0 or -EMSGSIZE.
 */
int bertha_binding_accept_put(struct bertha_binding_set *b,
			      unsigned int index, struct sk_buff *skb)
{
	struct bertha_bound *n = &b->node[index];

	return bertha_node_nest_put(n, skb, BERTHA_WIRE_C_OWN,
				    n->ops ? n->ops->accept_put : NULL);
}

/**
 * bertha_binding_info_put() - a node's get_info, for a connection dump
 * @b: the binding
 * @index: the node
 * @skb: the message, inside the node's nest
 *
 * Context: under rcu_read_lock().
 * Return: 0 or -EMSGSIZE.
 */
int bertha_binding_info_put(struct bertha_binding_set *b, unsigned int index,
			    struct sk_buff *skb)
{
	struct bertha_bound *n = &b->node[index];

	return bertha_node_nest_put(n, skb, BERTHA_BINDING_NODE_A_INFO,
				    n->ops ? n->ops->get_info : NULL);
}

/**
 * bertha_binding_to_user() - getsockopt(BERTHA_BINDING)
 * @b: the binding
 * @path: &enum bertha_path of its connection
 * @optval: user buffer
 * @optlen: user length; set to the size written, or needed on -ERANGE
 * @len: the caller's buffer size
 *
 * Return: 0, -ERANGE, -EFAULT or -ENOMEM.
 */
int bertha_binding_to_user(const struct bertha_binding_set *b, u32 path,
			   char __user *optval, int __user *optlen, int len)
{
	struct bertha_binding *out;
	size_t size = struct_size(out, node, b->count);
	unsigned int i;
	int err = 0;

	if (len < size)
		return put_user(size, optlen) ? -EFAULT : -ERANGE;
	out = kzalloc(size, GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	out->count = b->count;
	out->path = path;
	for (i = 0; i < b->count; i++)
		out->node[i] = b->node[i].info;
	if (copy_to_user(optval, out, size) || put_user(size, optlen))
		err = -EFAULT;
	kfree(out);
	return err;
}

/* The chunnels' side of the API: what an op may ask of the core. */

/**
 * bertha_chunnel_xmit_next() - send a message on from a node
 * @cc: the node that stole it (or builds it: a retransmission)
 * @skb: the message, with headroom; consumed
 * @x: how it leaves; the nodes after @cc may change it
 *
 * The xmit ops of the nodes after @cc run, then the message goes out.
 *
 * Context: any but hard irq; must not be called with the socket's
 * spinlocks of the chunnel held if its own ops take them.
 * Return: 0, or the error of an op or of routing.
 */
int bertha_chunnel_xmit_next(struct bertha_chunnel_conn *cc,
			     struct sk_buff *skb, struct bertha_xmit *x)
{
	struct bertha_xmit copy = *x;

	copy.from = NULL;
	return bertha_binding_xmit_from(cc->conn, cc->index + 1, skb, &copy);
}
EXPORT_SYMBOL_GPL(bertha_chunnel_xmit_next);

/**
 * bertha_chunnel_rcv_next() - hand a message on towards the application
 * @cc: the node that stole it
 * @skb: the message; consumed
 * @rx: how it arrived (kept from its rcv op) and where it goes
 *
 * The rcv ops of the nodes before @cc run, then the message is queued on
 * @rx->to or the connection's socket.
 *
 * Context: softirq or a chunnel's timer, under rcu_read_lock().
 * Return: 0 when queued (or taken by a node); -ENOBUFS when the socket
 * could not take it (it was dropped and counted), or an op's error.
 */
int bertha_chunnel_rcv_next(struct bertha_chunnel_conn *cc,
			    struct sk_buff *skb, struct bertha_rcv *rx)
{
	struct bertha_binding_set *b = READ_ONCE(cc->conn->binding);

	return bertha_binding_rcv_to(cc->conn, b, cc->index, skb, rx);
}
EXPORT_SYMBOL_GPL(bertha_chunnel_rcv_next);

/**
 * bertha_chunnel_ctrl_alloc() - a buffer for a chunnel's control message
 * @size: room for the payload
 * @gfp: allocation flags
 *
 * Return: an skb with headroom for every header, or NULL.
 */
struct sk_buff *bertha_chunnel_ctrl_alloc(unsigned int size, gfp_t gfp)
{
	return bertha_ctrl_alloc(size, gfp);
}
EXPORT_SYMBOL_GPL(bertha_chunnel_ctrl_alloc);

/**
 * bertha_chunnel_msg_alloc() - a message of the connection a chunnel makes
 *	itself (an end of stream ordered with the others)
 * @cc: the node
 * @size: room for the payload
 *
 * It is charged to the socket's send buffer, even beyond it, as the
 * messages of the application are; hand it to bertha_chunnel_xmit_next().
 *
 * Context: process context, socket locked.
 * Return: an skb with headroom for every header, or NULL.
 */
struct sk_buff *bertha_chunnel_msg_alloc(struct bertha_chunnel_conn *cc,
					 unsigned int size)
{
	struct sk_buff *skb;

	skb = sock_wmalloc(cc->sk, BERTHA_XMIT_HEADROOM + size, 1, GFP_KERNEL);
	if (skb)
		skb_reserve(skb, BERTHA_XMIT_HEADROOM);
	return skb;
}
EXPORT_SYMBOL_GPL(bertha_chunnel_msg_alloc);

/**
 * bertha_chunnel_ctrl_send() - send a control message to the peer's node
 * @cc: the node
 * @subtype: the chunnel's own message type
 * @skb: the payload, from bertha_chunnel_ctrl_alloc(); consumed
 *
 * It travels as a bertha datagram of type chunnel control, after the
 * connection's cookie, which the peer's core checks and strips before it
 * hands the payload to the ctrl_rcv op of the node at the same index.
 *
 * Context: any but hard irq.
 * Return: 0, or the routing error.
 */
int bertha_chunnel_ctrl_send(struct bertha_chunnel_conn *cc, u8 subtype,
			     struct sk_buff *skb)
{
	struct bertha_conn *conn = cc->conn;
	__be64 cookie = cpu_to_be64(conn->cookie);

	memcpy(skb_push(skb, sizeof(cookie)), &cookie, sizeof(cookie));
	return bertha_port_send(conn->bs->port, &conn->local, &conn->peer,
				BERTHA_WIRE_CHUNNEL, conn->peer_id,
				cc->index << 8 | subtype, skb);
}
EXPORT_SYMBOL_GPL(bertha_chunnel_ctrl_send);

/**
 * bertha_chunnel_peer_eof() - the peer's end of stream, in order
 * @cc: the node that signals it (it ordered it after every message)
 *
 * A SOCK_SEQPACKET socket reads end of stream; a SOCK_DGRAM peer has none.
 *
 * Context: any but hard irq.
 */
void bertha_chunnel_peer_eof(struct bertha_chunnel_conn *cc)
{
	struct bertha_sock *bs = cc->conn->bs;

	if (bs->sk.sk_type == SOCK_SEQPACKET)
		bertha_sock_shutdown(bs, RCV_SHUTDOWN);
}
EXPORT_SYMBOL_GPL(bertha_chunnel_peer_eof);

/**
 * bertha_chunnel_fail() - the connection cannot go on
 * @cc: the node that found out
 * @err: a negative errno (-ETIMEDOUT: the peer stopped answering)
 *
 * A SOCK_SEQPACKET socket reports @err once and is shut down. A SOCK_DGRAM
 * socket carries on: its next sendto() to that peer returns @err and
 * forgets the peer, and the one after negotiates again.
 *
 * Context: any but hard irq; the chunnel frees what it holds itself.
 */
void bertha_chunnel_fail(struct bertha_chunnel_conn *cc, int err)
{
	struct bertha_conn *conn = cc->conn;
	struct sock *sk = cc->sk;

	if (sk->sk_type == SOCK_DGRAM) {
		WRITE_ONCE(conn->failed, err);
		return;
	}
	WRITE_ONCE(sk->sk_err, -err);
	bertha_sock_shutdown(conn->bs, SHUTDOWN_MASK);
	sk_error_report(sk);
}
EXPORT_SYMBOL_GPL(bertha_chunnel_fail);

static void bertha_chunnel_timer_fn(struct timer_list *timer)
{
	struct bertha_chunnel_timer *t = from_timer(t, timer, timer);

	/* as in softirq receive: bertha_chunnel_rcv_next() may be called */
	rcu_read_lock();
	t->fn(t->cc);
	rcu_read_unlock();
}

/**
 * bertha_chunnel_timer_setup() - prepare a timer of a node
 * @cc: the node, in its init op
 * @t: the timer, in the node's state
 * @fn: called in softirq, under rcu_read_lock(), when it fires
 *
 * Context: the init op (process context).
 */
void bertha_chunnel_timer_setup(struct bertha_chunnel_conn *cc,
				struct bertha_chunnel_timer *t,
				void (*fn)(struct bertha_chunnel_conn *cc))
{
	/* the core stops the list it knows; only init may add to it */
	WARN_ON_ONCE(cc->stopping);
	timer_setup(&t->timer, bertha_chunnel_timer_fn, 0);
	t->cc = cc;
	t->fn = fn;
	spin_lock_bh(&cc->timer_lock);
	list_add_tail(&t->node, &cc->timers);
	spin_unlock_bh(&cc->timer_lock);
}
EXPORT_SYMBOL_GPL(bertha_chunnel_timer_setup);

/**
 * bertha_chunnel_timer_arm() - (re)start a timer
 * @t: a timer bertha_chunnel_timer_setup() prepared
 * @expires: when, in jiffies
 *
 * Context: any but hard irq.
 * Return: false, doing nothing, once the connection is going.
 */
bool bertha_chunnel_timer_arm(struct bertha_chunnel_timer *t,
			      unsigned long expires)
{
	struct bertha_chunnel_conn *cc = t->cc;
	bool ok;

	spin_lock_bh(&cc->timer_lock);
	ok = !cc->stopping;
	if (ok)
		mod_timer(&t->timer, expires);
	spin_unlock_bh(&cc->timer_lock);
	return ok;
}
EXPORT_SYMBOL_GPL(bertha_chunnel_timer_arm);

/**
 * bertha_chunnel_timer_cancel() - stop a timer if it is pending
 * @t: the timer
 *
 * It does not wait for a running callback.
 *
 * Context: any but hard irq.
 */
void bertha_chunnel_timer_cancel(struct bertha_chunnel_timer *t)
{
	del_timer(&t->timer);
}
EXPORT_SYMBOL_GPL(bertha_chunnel_timer_cancel);

/**
 * bertha_chunnel_timer_pending() - is a timer armed?
 * @t: the timer
 *
 * Return: true if it will fire.
 */
bool bertha_chunnel_timer_pending(const struct bertha_chunnel_timer *t)
{
	return timer_pending(&t->timer);
}
EXPORT_SYMBOL_GPL(bertha_chunnel_timer_pending);

/**
 * bertha_chunnel_peer() - the peer's address of a node's connection
 * @cc: the node
 *
 * Return: the address, valid while the connection is.
 */
const struct sockaddr_bertha *
bertha_chunnel_peer(const struct bertha_chunnel_conn *cc)
{
	return &cc->conn->peer;
}
EXPORT_SYMBOL_GPL(bertha_chunnel_peer);

/**
 * bertha_chunnel_local() - the address a node's connection sends from
 * @cc: the node
 *
 * Return: the address, valid while the connection is.
 */
const struct sockaddr_bertha *
bertha_chunnel_local(const struct bertha_chunnel_conn *cc)
{
	return &cc->conn->local;
}
EXPORT_SYMBOL_GPL(bertha_chunnel_local);

/**
 * bertha_chunnel_skb_from_peer() - did a datagram come from the peer's IP
 *	address and a given port?
 * @cc: the node
 * @skb: a received datagram
 * @port: the UDP source port to expect; 0 for the peer's own
 *
 * Return: true if so.
 */
bool bertha_chunnel_skb_from_peer(const struct bertha_chunnel_conn *cc,
				  const struct sk_buff *skb, __be16 port)
{
	struct sockaddr_bertha peer = cc->conn->peer;

	if (port)
		peer.sbe_port = port;
	return bertha_skb_from(skb, &peer);
}
EXPORT_SYMBOL_GPL(bertha_chunnel_skb_from_peer);

/**
 * bertha_chunnel_conn_rcv() - receive a datagram for a node's connection
 *	that reached another port (a chunnel's port_rcv found it)
 * @cc: a node of the connection
 * @skb: the datagram, data at the UDP header; consumed
 * @flags: its DATA header's flags
 *
 * Every rcv op of the connection runs, as if it had arrived on the
 * connection's own port; &bertha_rcv.port says where it did.
 *
 * Context: softirq, under rcu_read_lock().
 * Return: 0 when queued or taken, else an error.
 */
int bertha_chunnel_conn_rcv(struct bertha_chunnel_conn *cc,
			    struct sk_buff *skb, u16 flags)
{
	struct bertha_conn *conn = cc->conn;
	struct bertha_binding_set *b = READ_ONCE(conn->binding);
	int err;

	if (!refcount_inc_not_zero(&cc->sk->sk_refcnt)) {
		kfree_skb(skb);
		return -ENOTCONN;
	}
	__skb_pull(skb, sizeof(struct udphdr) + sizeof(struct bertha_wire_hdr));
	err = bertha_binding_rcv(conn, b, skb, flags);
	sock_put(cc->sk);
	return err;
}
EXPORT_SYMBOL_GPL(bertha_chunnel_conn_rcv);
