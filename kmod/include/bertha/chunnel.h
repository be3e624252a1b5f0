/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The chunnel layer: the API through which kernel modules, bertha.ko's own
 * built-ins included, provide chunnel types and implementations (the
 * paper's registration of implementations, §3.1). The core (sockets,
 * connections, negotiation, transport, local path) calls chunnels only
 * through the operations declared here, in DAG order, and never by name.
 *
 * Two things are registered:
 *
 * - a &struct bertha_chunnel_type, optional, owns what belongs to a chunnel
 *   whatever implementation runs it: the validation of its DAG arguments,
 *   its counters, its socket-level hooks and the per-connection operations
 *   run when the bound implementation runs at the peer or has no kernel
 *   operations of its own (an XDP program registered from userspace);
 * - a &struct bertha_chunnel_impl is one implementation of a type, with
 *   its priority, scope and &struct bertha_chunnel_ops.
 *
 * Documentation/bertha.rst, "Writing a chunnel", gives the contexts and
 * locking rules of every hook with a worked example.
 */
#ifndef _BERTHA_CHUNNEL_H
#define _BERTHA_CHUNNEL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>

#include <linux/bertha.h>

struct msghdr;
struct net;
struct netlink_ext_ack;
struct nlattr;
struct sk_buff;
struct sock;
struct bertha_conn;
struct bertha_chunnel_impl;
struct bertha_chunnel_type;

/**
 * MODULE_ALIAS_BERTHA_CHUNNEL() - let a DAG that names @type load a module
 * @type: the chunnel type name, a string literal
 *
 * A DAG naming a type nobody registered makes bertha.ko ask for
 * "bertha-chunnel-<type>" (request_module()) once before it refuses the
 * DAG with EPROTONOSUPPORT.
 */
#define MODULE_ALIAS_BERTHA_CHUNNEL(type) MODULE_ALIAS("bertha-chunnel-" type)

/**
 * enum bertha_chunnel_verdict - what an xmit or rcv op did with a message
 * @BERTHA_CHUNNEL_PASS: go on with the next node (xmit: towards the wire;
 *	rcv: towards the application)
 * @BERTHA_CHUNNEL_STOLEN: the op took the message: it queued, dropped or
 *	delivered it, and resumes it later with bertha_chunnel_xmit_next()
 *	or bertha_chunnel_rcv_next() if it wants to
 *
 * A negative errno is the third answer: the core drops the message (xmit:
 * the send fails with it; rcv: it is counted in rx_dropped).
 */
enum bertha_chunnel_verdict {
	BERTHA_CHUNNEL_PASS,
	BERTHA_CHUNNEL_STOLEN,
};

/**
 * struct bertha_xmit - how one outgoing message leaves
 * @dport: the peer's UDP port to send it to; 0 for the peer's own port
 * @flags: DATA header flags; bits 0-7 belong to the chunnels of the
 *	binding (``reliable`` uses 0x1 and 0x2), the rest are the core's
 * @from: the socket whose UDP port sends it, or NULL for the connection's
 *	own; set by the core, valid only during the call
 *
 * An op that steals a message and sends it later keeps what it needs of
 * this (it is small) and hands it back to bertha_chunnel_xmit_next().
 */
struct bertha_xmit {
	__be16 dport;
	u16 flags;
	struct sock *from;
};

/**
 * struct bertha_rcv - how one incoming message arrived
 * @flags: its DATA header flags
 * @port: the local UDP port it arrived on (network byte order); 0 on the
 *	local fast path
 * @to: the socket it is to be queued on, or NULL for the connection's
 *	own; a chunnel that steers messages to another socket sets it (the
 *	core holds a reference while it queues)
 * @err: an op that steals a message and hands it on at once with
 *	bertha_chunnel_rcv_next() stores that call's result here before it
 *	returns %BERTHA_CHUNNEL_STOLEN, so the nodes below it learn whether
 *	the socket took the message
 */
struct bertha_rcv {
	u16 flags;
	__be16 port;
	struct sock *to;
	int err;
};

/**
 * struct bertha_chunnel_conn - one chunnel node of one connection
 * @priv: the implementation's per-connection state; set it in @init
 * @impl: the bound implementation when it runs here, else NULL (the
 *	type's @peer_ops run)
 * @type: the chunnel type's registration, or NULL if it has none
 * @sk: the socket the connection belongs to (a listener's child, a
 *	connected socket, or a SOCK_DGRAM socket for each of its peers)
 * @args: the node's %BERTHA_NODE_A_ARGS in the DAG, or NULL; valid in
 *	@init only (parse what you need there)
 * @peer_attrs: what the peer's implementation put for this node with
 *	@hello_put (read at the listener) or @accept_put (read at the client),
 *	a nest of the implementation's own attributes, or NULL; valid in
 *	@init only
 * @where: &enum bertha_where of the binding node, seen from this end
 * @path: &enum bertha_path of the connection
 * @initiator: true at the end that sent the HELLO
 * @index: the node's position in the binding, the same at both ends
 * @conn: private to bertha.ko
 * @timer_lock: private to bertha.ko: guards @timers and @stopping
 * @timers: private to bertha.ko: the timers set up with
 *	bertha_chunnel_timer_setup()
 * @stopping: private to bertha.ko: the connection is going, no timer may
 *	be armed any more
 *
 * bertha.ko allocates one per node whose implementation runs at this end
 * or whose type has @peer_ops, and hands it to every op of the connection.
 */
struct bertha_chunnel_conn {
	void *priv;
	const struct bertha_chunnel_impl *impl;
	const struct bertha_chunnel_type *type;
	struct sock *sk;
	const struct nlattr *args;
	const struct nlattr *peer_attrs;
	u32 where;
	u32 path;
	bool initiator;
	u8 index;
	struct bertha_conn *conn;
	spinlock_t timer_lock;	/* @timers, @stopping */
	struct list_head timers;
	bool stopping;
};

/**
 * struct bertha_chunnel_ops - what a chunnel does for one connection
 * @xmit: an outgoing message, @skb->data is the message (after the nodes
 *	before this one). May transform it in place (it is linear and
 *	writable), push a header of its own (on the network path
 *	%BERTHA_CHUNNEL_HEADROOM bytes are free in front), choose the
 *	destination port and header flags in @x, or steal it. Process
 *	context, socket locked, from sendmsg; or the context of a node above
 *	that resends (a timer, softirq). Must not sleep.
 * @rcv: an incoming message, after the nodes below this one. May undo
 *	@xmit, consume, hold and reorder it (steal it and hand it on later
 *	with bertha_chunnel_rcv_next(), in order), choose the socket in @rx
 *	(a chunnel that holds a message steered to another socket keeps a
 *	reference to that socket itself), and answer the peer with
 *	bertha_chunnel_ctrl_send(). The message may be nonlinear and shared:
 *	use skb_header_pointer() or unshare it. Network path: softirq, under
 *	rcu_read_lock(), socket not locked. Local path: the sending process
 *	with bottom halves enabled, under rcu_read_lock(); so a lock an op
 *	shares with its timers is taken with spin_lock_bh(). Ordering
 *	between @rcv and the chunnel's timers is the chunnel's (its own
 *	lock).
 * @ctrl_rcv: a control message this chunnel's peer sent with
 *	bertha_chunnel_ctrl_send(); @subtype is the chunnel's own. The core
 *	frees @skb after the call. Return 0, -EPROTO for a malformed one
 *	(counted in rx_malformed) or -EBADMSG for one that makes no sense
 *	now (rx_unexpected). Softirq, as @rcv.
 * @peer_match: a DATA datagram for this connection came from another
 *	address than the peer's; return true to take it (a chunnel whose
 *	peer answers from several ports). Softirq, as @rcv.
 * @init: the connection has bound this node, and its path is decided.
 *	Allocate @cc->priv, parse @cc->args and @cc->peer_attrs. Process
 *	context, may sleep. A non-zero return refuses the connection (the
 *	listener answers REJECT, reason NO_IMPLEMENTATION); the op undoes
 *	what it did first (@release is not called for it).
 * @release: the connection is gone: no op runs any more, no timer is
 *	pending, softirq is done with it. Free what @init made and every
 *	message still held. Process context.
 * @shutdown: the application shut down the sending side (or closes).
 *	Return true if this chunnel tells the peer itself, in order after
 *	the messages it holds (the core then sends no CLOSE). Process
 *	context, socket locked.
 * @flush: close() waits, at most @timeo jiffies, for what this chunnel
 *	holds to reach the peer. Process context, socket not locked.
 * @hello_put: add this implementation's own attributes to a HELLO (at
 *	the client, for every implementation it offers); the peer's @init
 *	finds them in @cc->peer_attrs. The core turns their headers into the
 *	wire's byte order and back; the values are the chunnel's, and its
 *	integers must be big-endian (nla_put_be32(), nla_get_be32()) for
 *	peers of any endianness. Process context, under the registry's
 *	lock: it must not call the registry (register, unregister).
 * @accept_put: add this node's own attributes to the ACCEPT (at the
 *	listener, after @init); big-endian integers, as for @hello_put.
 *	Process context.
 * @get_info: add this node's state of the connection, as netlink
 *	attributes of the chunnel's own, to a connection dump (the core
 *	opened a nest for it). Process context, the connection's socket
 *	locked (the binding stays), under rcu_read_lock(): must not sleep.
 *
 * Every op is optional. Messages pass through the nodes of a binding in
 * DAG order on transmit and in reverse order on receive. On the local
 * fast path only @xmit and @rcv of the implementations that are not
 * elided there run, and they may not steal.
 *
 * An @rcv that drops a message returns a negative errno and leaves the
 * message to the core, which frees and counts it: -EPROTO in
 * rx_malformed, -EBADMSG (not a message of this connection) in
 * rx_unexpected, anything else in rx_dropped. An @xmit error fails the
 * send with it; the core frees the message.
 */
struct bertha_chunnel_ops {
	int (*xmit)(struct bertha_chunnel_conn *cc, struct sk_buff *skb,
		    struct bertha_xmit *x);
	int (*rcv)(struct bertha_chunnel_conn *cc, struct sk_buff *skb,
		   struct bertha_rcv *rx);
	int (*ctrl_rcv)(struct bertha_chunnel_conn *cc, u8 subtype,
			struct sk_buff *skb);
	bool (*peer_match)(const struct bertha_chunnel_conn *cc,
			   const struct sk_buff *skb);
	int (*init)(struct bertha_chunnel_conn *cc);
	void (*release)(struct bertha_chunnel_conn *cc);
	bool (*shutdown)(struct bertha_chunnel_conn *cc);
	void (*flush)(struct bertha_chunnel_conn *cc, long timeo);
	int (*hello_put)(const struct bertha_chunnel_impl *impl,
			 struct sk_buff *skb);
	int (*accept_put)(struct bertha_chunnel_conn *cc, struct sk_buff *skb);
	int (*get_info)(struct bertha_chunnel_conn *cc, struct sk_buff *skb);
};

/**
 * enum bertha_chunnel_side - which end of a connection may run an
 *	implementation
 * @BERTHA_SIDE_ANY: either
 * @BERTHA_SIDE_CLIENT: only the end that connects (``shard/client-push``)
 * @BERTHA_SIDE_LISTENER: only the end that answers (``shard/server``)
 */
enum bertha_chunnel_side {
	BERTHA_SIDE_ANY,
	BERTHA_SIDE_CLIENT,
	BERTHA_SIDE_LISTENER,
};

/* &bertha_chunnel_impl.flags */
#define BERTHA_CHUNNEL_F_ELIDE_LOCAL	0x1	/* not run on the local path */

/**
 * struct bertha_chunnel_impl - one implementation of a chunnel type
 * @type: the chunnel type it implements, as DAGs name it ("reliable")
 * @name: the implementation's name, unique within @type ("kernel");
 *	peers treat two implementations of a both-endpoint chunnel as
 *	compatible when their names match
 * @priority: higher is preferred when negotiation has a choice
 * @scope: where it runs (&enum bertha_scope)
 * @endpoints: whether one or both peers must run it
 * @side: &enum bertha_chunnel_side; negotiation places it nowhere else
 * @flags: %BERTHA_CHUNNEL_F_ELIDE_LOCAL: on the local fast path, which
 *	already does its work, it does not run (the binding says
 *	%BERTHA_WHERE_ELIDED)
 * @capacity: how many connections it can serve at once; 0 for unlimited
 * @ops: per-connection operations, or NULL for a pass-through
 * @net: the only network namespace that sees it, or NULL for all; the
 *	registrant keeps a reference to it while registered
 * @owner: the module providing it (THIS_MODULE)
 * @list: private to bertha.ko
 * @users: private to bertha.ko: connections bound to it
 * @release: private to bertha.ko: frees a retired registration from
 *	userspace once its last connection goes
 * @retired: private to bertha.ko: withdrawn, waiting for @users to drain
 *
 * Names are 1 to %BERTHA_NAME_MAX - 1 characters of [a-z0-9_-]. The
 * structure must stay valid until bertha_chunnel_unregister() returns.
 * A connection bound to an implementation holds a reference to @owner, so
 * the module cannot be unloaded while the connection lives.
 */
struct bertha_chunnel_impl {
	const char *type;
	const char *name;
	u32 priority;
	enum bertha_scope scope;
	enum bertha_endpoints endpoints;
	enum bertha_chunnel_side side;
	u32 flags;
	u32 capacity;
	const struct bertha_chunnel_ops *ops;
	struct net *net;
	struct module *owner;
	struct list_head list;
	atomic_t users;
	void (*release)(struct bertha_chunnel_impl *impl);
	bool retired;
};

/**
 * struct bertha_chunnel_counter - one counter of a chunnel type
 * @name: its name in genl dumps and ``berthactl stats``, [a-z0-9-]
 * @sock_legacy: for the counters &struct bertha_stats already had before
 *	chunnels owned their counters (bertha.ko's own chunnels only):
 *	offsetof() that field plus one; 0 for every other counter (the uapi
 *	struct does not grow any more)
 * @net_legacy: likewise, the &enum bertha_stats_attrs it used to be
 *	reported as; 0 for every other counter
 */
struct bertha_chunnel_counter {
	const char *name;
	u16 sock_legacy;
	u16 net_legacy;
};

/* &bertha_chunnel_type.flags */
#define BERTHA_CHUNNEL_T_HOLDS	0x1
#define BERTHA_CHUNNEL_T_STEERS	0x2

/* Counters all registered types may have together. */
#define BERTHA_CHUNNEL_COUNTERS_MAX	48

/**
 * struct bertha_chunnel_type - what a chunnel type owns, whatever runs it
 * @name: the type name, as DAGs name it
 * @owner: the module providing it (THIS_MODULE)
 * @flags: %BERTHA_CHUNNEL_T_HOLDS: its nodes hold messages and put a header
 *	of their own in front (``reliable``); %BERTHA_CHUNNEL_T_STEERS: its
 *	nodes read the application's message to steer it (``shard``). A DAG
 *	in which a steering node follows a holding one on the same path is
 *	refused (EINVAL): the steering node would read the other's header.
 *	A binding with a steering node keeps the network path between two
 *	sockets of one host: the local path has no addresses to steer by.
 * @check_args: validate a node's %BERTHA_NODE_A_ARGS (@args may be NULL)
 *	when a DAG naming the type is set (setsockopt) or arrives in a HELLO;
 *	an error refuses the DAG (EINVAL, or REJECT MALFORMED). @extack is
 *	for a reason where netlink carries one, and may be NULL (setsockopt
 *	has none). Process context.
 * @peer_ops: per-connection operations run for a node of this type whose
 *	implementation runs at the peer or has no @ops (an offload); may be
 *	NULL
 * @sock_bind: a SOCK_DGRAM socket was bound (any socket: it may be the
 *	target of this type's steering). Process context, socket locked.
 * @sock_dag: a bound SOCK_DGRAM socket's DAG changed. As @sock_bind.
 * @sock_release: a socket @sock_bind saw is closing. As @sock_bind.
 * @port_rcv: a DATA datagram reached the port bound at @local and named
 *	none of its connections; @owner is the port's SOCK_DGRAM socket, or
 *	NULL. Return true if the type took @skb (data at the UDP header) and
 *	consumed it. Softirq, under rcu_read_lock().
 * @sendmsg: sendto() on a SOCK_DGRAM socket to an address that is none
 *	of its peers. Return -ENOENT to let the socket negotiate with it as
 *	usual, or what sendmsg returns. Process context, socket locked.
 * @counters: the type's counters, kept per socket and per namespace. The
 *	slots are kept by type name across unregistering (a socket's values
 *	stay where they were); a type registered again may not declare more
 *	counters than the first time, and all types together have
 *	%BERTHA_CHUNNEL_COUNTERS_MAX
 * @ncounters: entries in @counters
 * @list: private to bertha.ko
 * @counter_base: private to bertha.ko
 *
 * A type is optional: an implementation of a type nobody registered runs
 * with its own ops alone. The structure must stay valid until
 * bertha_chunnel_type_unregister() returns. A socket that @sock_bind saw
 * holds a reference to @owner until @sock_release.
 */
struct bertha_chunnel_type {
	const char *name;
	struct module *owner;
	u32 flags;
	int (*check_args)(const struct nlattr *args,
			  struct netlink_ext_ack *extack);
	const struct bertha_chunnel_ops *peer_ops;
	void (*sock_bind)(struct sock *sk);
	void (*sock_dag)(struct sock *sk);
	void (*sock_release)(struct sock *sk);
	bool (*port_rcv)(const struct sockaddr_bertha *local, struct sock *owner,
			 struct sk_buff *skb, u32 conn_id, u16 flags);
	int (*sendmsg)(struct sock *sk, struct msghdr *msg, size_t len);
	const struct bertha_chunnel_counter *counters;
	unsigned int ncounters;
	struct list_head list;
	unsigned int counter_base;
};

/**
 * struct bertha_chunnel_timer - a timer of a connection's chunnel
 * @timer: private to bertha.ko
 * @node: private to bertha.ko
 * @cc: private to bertha.ko
 * @fn: private to bertha.ko
 *
 * Embed it in the per-connection state and set it up with
 * bertha_chunnel_timer_setup(). bertha.ko stops it before @release runs,
 * and refuses to arm it once the connection is going, so a chunnel never
 * races its own teardown.
 */
struct bertha_chunnel_timer {
	struct timer_list timer;
	struct list_head node;
	struct bertha_chunnel_conn *cc;
	void (*fn)(struct bertha_chunnel_conn *cc);
};

/* Free bytes in front of a message an xmit op gets, for its headers. */
#define BERTHA_CHUNNEL_HEADROOM	16

int bertha_chunnel_register(struct bertha_chunnel_impl *impl);
void bertha_chunnel_unregister(struct bertha_chunnel_impl *impl);
int bertha_chunnel_type_register(struct bertha_chunnel_type *type);
void bertha_chunnel_type_unregister(struct bertha_chunnel_type *type);

int bertha_chunnel_xmit_next(struct bertha_chunnel_conn *cc,
			     struct sk_buff *skb, struct bertha_xmit *x);
int bertha_chunnel_rcv_next(struct bertha_chunnel_conn *cc,
			    struct sk_buff *skb, struct bertha_rcv *rx);
int bertha_chunnel_ctrl_send(struct bertha_chunnel_conn *cc, u8 subtype,
			     struct sk_buff *skb);
struct sk_buff *bertha_chunnel_ctrl_alloc(unsigned int size, gfp_t gfp);
struct sk_buff *bertha_chunnel_msg_alloc(struct bertha_chunnel_conn *cc,
					 unsigned int size);
void bertha_chunnel_peer_eof(struct bertha_chunnel_conn *cc);
void bertha_chunnel_fail(struct bertha_chunnel_conn *cc, int err);

void bertha_chunnel_timer_setup(struct bertha_chunnel_conn *cc,
				struct bertha_chunnel_timer *t,
				void (*fn)(struct bertha_chunnel_conn *cc));
bool bertha_chunnel_timer_arm(struct bertha_chunnel_timer *t,
			      unsigned long expires);
void bertha_chunnel_timer_cancel(struct bertha_chunnel_timer *t);
bool bertha_chunnel_timer_pending(const struct bertha_chunnel_timer *t);

void bertha_chunnel_count(const struct bertha_chunnel_conn *cc,
			  unsigned int counter, u64 n);
void bertha_chunnel_sock_count(const struct bertha_chunnel_type *type,
			       struct sock *sk, unsigned int counter, u64 n);

/* Services for chunnels that work across the sockets of a namespace. */
const struct sockaddr_bertha *bertha_sock_local(const struct sock *sk);
const struct nlattr *bertha_sock_node_args(const struct sock *sk,
					   const char *type, bool *found);
struct bertha_chunnel_conn *bertha_sock_conn_node(struct sock *sk,
						  u32 conn_id,
						  const struct bertha_chunnel_type *type);
bool bertha_chunnel_skb_from_peer(const struct bertha_chunnel_conn *cc,
				  const struct sk_buff *skb, __be16 port);
const struct sockaddr_bertha *
bertha_chunnel_peer(const struct bertha_chunnel_conn *cc);
const struct sockaddr_bertha *
bertha_chunnel_local(const struct bertha_chunnel_conn *cc);
int bertha_chunnel_conn_rcv(struct bertha_chunnel_conn *cc,
			    struct sk_buff *skb, u16 flags);
int bertha_sock_peer_send(struct sock *sk, struct sock *from,
			  struct msghdr *msg, size_t len);

#endif /* _BERTHA_CHUNNEL_H */
