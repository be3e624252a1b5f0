/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko internals shared between the files of the data path:
 * socket.c -> conn.c -> negotiate.c -> binding.c -> transport.c.
 */
#ifndef _BERTHA_H
#define _BERTHA_H

#include <linux/ipv6.h>
#include <linux/net.h>
#include <linux/udp.h>
#include <linux/sockptr.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/sock.h>

#include <linux/bertha.h>

#include <bertha/chunnel.h>

#include "compat/compat.h"
#include "chunnels/builtin.h"

/* The chunnel type whose node branches into alternatives. */
#define BERTHA_SELECT_TYPE	"select"

/* Room for the link, IP, UDP and bertha headers in front of a payload. */
#define BERTHA_HEADROOM	(LL_MAX_HEADER + sizeof(struct ipv6hdr) + \
			 sizeof(struct udphdr) + 8 + 4)

/* What a message to send gets in front: the headers, and room for the
 * chunnels' own.
 */
#define BERTHA_XMIT_HEADROOM	(BERTHA_HEADROOM + BERTHA_CHUNNEL_HEADROOM)

/* HELLO is retransmitted after 200 ms, then after twice as long each time
 * (at 0.2, 0.6, 1.4 and 3.0 s); when the fourth retransmission is 3.2 s
 * without answer, the negotiation fails with ETIMEDOUT (6.2 s in all).
 */
#define BERTHA_HELLO_RTO	(HZ / 5)
#define BERTHA_HELLO_RETRIES	4

/* How long close() waits for the chunnels to flush what they hold (the
 * peer's acknowledgments), unless SO_LINGER says otherwise.
 */
#define BERTHA_CLOSE_LINGER	(5 * HZ)

/* Chunnel types whose socket hooks one socket runs. */
#define BERTHA_SOCK_TYPES_MAX	4

/* Most implementations one end describes in a HELLO. */
#define BERTHA_HELLO_MAX_IMPLS	64

/**
 * struct bertha_dag - a validated chunnel DAG
 * @len: length of @blob in bytes
 * @blob: the netlink attributes (uapi: enum bertha_dag_attrs)
 */
struct bertha_dag {
	u32 len;
	u8 blob[];
};

/**
 * struct bertha_dag_node - one node of a validated DAG, parsed
 * @type: chunnel type name
 * @scope: &enum bertha_scope constraint
 * @args: its arguments (%BERTHA_NODE_A_ARGS), or NULL
 * @alternatives: a select node's alternatives (&enum bertha_dag_attrs)
 * @next: the node after this one, or NULL
 */
struct bertha_dag_node {
	const char *type;
	u32 scope;
	const struct nlattr *args;
	const struct nlattr *alternatives;
	const struct nlattr *next;
};

/**
 * struct bertha_impl_info - a description of an implementation, as the
 *	registry or a peer's HELLO gives it
 * @type: chunnel type
 * @name: implementation name
 * @priority: higher is preferred
 * @scope: &enum bertha_scope
 * @endpoints: &enum bertha_endpoints
 * @side: &enum bertha_chunnel_side
 * @usable: below capacity
 */
struct bertha_impl_info {
	char type[BERTHA_NAME_MAX];
	char name[BERTHA_NAME_MAX];
	u32 priority;
	u32 scope;
	u32 endpoints;
	u32 side;
	bool usable;
};

/**
 * struct bertha_bound - one chunnel of a connection's binding
 * @info: what getsockopt(BERTHA_BINDING) reports, seen from this end
 * @impl: the implementation, held, when it runs at this end; else NULL
 * @type: the type's registration, held while @ops run, or NULL
 * @ops: what runs for the node here (initialised), or NULL
 * @cc: its per-connection state
 * @setup_id: the setup request a helper answered for it (setup.c), so
 *	teardown is owed to the helper; 0 if none
 */
struct bertha_bound {
	struct bertha_binding_node info;
	struct bertha_chunnel_impl *impl;
	struct bertha_chunnel_type *type;
	const struct bertha_chunnel_ops *ops;
	struct bertha_chunnel_conn cc;
	u32 setup_id;
};

/**
 * struct bertha_binding_set - the binding negotiation chose
 * @count: entries in @node
 * @fallbacks: chunnels bound below the best implementation known
 * @has_rcv: softirq may call an op (rcv, ctrl_rcv, peer_match)
 * @has_xmit: some node has an xmit op (which needs linear messages)
 * @rcu: frees it after softirq is done with it
 * @node: the chunnels in DAG order
 */
struct bertha_binding_set {
	unsigned int count;
	unsigned int fallbacks;
	bool has_rcv;
	bool has_xmit;
	struct rcu_head rcu;
	struct bertha_bound node[];
};

/**
 * struct bertha_port - a kernel UDP socket and the connections behind it
 * @refcnt: the sockets using it
 * @udp: the kernel UDP socket (UDP tunnel API)
 * @local: the bound address
 * @conns: connection id -> &struct bertha_conn; RCU for lookups
 * @next_id: cursor for cyclic id allocation
 * @lock: guards @listener
 * @listener: the listening socket on this port, or NULL
 * @ctrl: control datagrams (HELLO, ACCEPT, REJECT, CLOSE) for @ctrl_work
 * @ctrl_work: handles @ctrl in process context
 * @free_work: closes the port from a work item, when the last reference
 *	goes there
 * @free_rwork: frees the memory after softirq is done with it
 * @dead: closed; @ctrl_work only drops what still arrives
 * @rx_malformed: datagrams with a bad header or payload
 * @rx_unexpected: well-formed datagrams that matched nothing
 */
struct bertha_port {
	refcount_t refcnt;
	struct socket *udp;
	struct sockaddr_bertha local;
	struct xarray conns;
	u32 next_id;
	struct mutex lock;	/* @listener */
	struct bertha_sock *listener;
	struct sk_buff_head ctrl;
	struct work_struct ctrl_work;
	struct work_struct free_work;
	struct rcu_work free_rwork;
	bool dead;
	atomic64_t rx_malformed;
	atomic64_t rx_unexpected;
};

/**
 * struct bertha_conn - one connection (one negotiated peer)
 * @bs: the socket it belongs to
 * @id: its id on the local port (what the peer puts in headers)
 * @peer_id: the peer's id for it; 0 until negotiated
 * @cookie: chosen by the initiator; names the handshake
 * @local: the address this end sends from (a listener's children answer
 *	from the address the HELLO was sent to)
 * @peer: the peer's address
 * @binding: the negotiated chunnels; NULL until negotiated
 * @node: a SOCK_DGRAM socket's list of its peers
 * @err: a SOCK_DGRAM peer's failed negotiation, for the next send to report
 * @hello_tries: HELLOs sent to a SOCK_DGRAM peer
 * @hello_due: when a SOCK_DGRAM peer's next HELLO is due (jiffies)
 * @shortcut: the local fast path offered (client) or joined, or NULL
 * @shortcut_end: which end of @shortcut this is
 * @path: &enum bertha_path, once negotiated
 * @failed: a chunnel gave up on a SOCK_DGRAM peer (bertha_chunnel_fail()):
 *	the next send reports it and forgets the peer
 * @rcu: frees it after lookups in softirq are done
 */
struct bertha_conn {
	struct bertha_sock *bs;
	u32 id;
	u32 peer_id;
	u64 cookie;
	struct sockaddr_bertha local;
	struct sockaddr_bertha peer;
	struct bertha_binding_set *binding;
	struct list_head node;
	int err;
	unsigned int hello_tries;
	unsigned long hello_due;
	struct bertha_shortcut *shortcut;
	unsigned int shortcut_end;
	u32 path;
	int failed;
	struct rcu_head rcu;
};

/**
 * struct bertha_counters - a socket's counters (uapi: struct bertha_stats)
 * @rx_dropped: see &struct bertha_stats
 * @tx_messages: see &struct bertha_stats
 * @rx_messages: see &struct bertha_stats
 * @hello_sent: see &struct bertha_stats
 * @hello_retransmits: see &struct bertha_stats
 * @hello_received: see &struct bertha_stats
 * @hello_duplicate: see &struct bertha_stats
 * @hello_backlog_drops: see &struct bertha_stats
 * @accepted: negotiations_accepted
 * @rejected: negotiations_rejected
 * @fallbacks: see &struct bertha_stats
 * @last_reject_reason: see &struct bertha_stats
 * @rejected_by: &struct bertha_stats.rejected
 */
struct bertha_counters {
	atomic64_t rx_dropped;
	atomic64_t tx_messages;
	atomic64_t rx_messages;
	atomic64_t hello_sent;
	atomic64_t hello_retransmits;
	atomic64_t hello_received;
	atomic64_t hello_duplicate;
	atomic64_t hello_backlog_drops;
	atomic64_t accepted;
	atomic64_t rejected;
	atomic64_t fallbacks;
	atomic_t last_reject_reason;
	atomic64_t rejected_by[BERTHA_REJECT_MAX + 1];
};

/* Implementations one namespace may disable. */
#define BERTHA_NET_DISABLED_MAX	16

/**
 * struct bertha_net - bertha's state of a network namespace
 * @policy: &enum bertha_policy for negotiations this namespace decides
 * @local: the local fast path may be used
 * @setup_timeout_ms: how long a helper has to answer a setup request
 * @ndisabled: entries in @disabled
 * @disabled: implementations this namespace disabled (type and name);
 *	under the registry's lock (chunnel.c)
 * @stats: counters, indexed by &enum bertha_stats_attrs
 * @socks: the namespace's AF_BERTHA sockets by table id (conn_table.c);
 *	the xarray's lock guards changes, lookups use RCU
 * @socks_next: cursor for cyclic table id allocation
 * @chunnel_cnt: the chunnel types' counters (chunnel.c)
 */
struct bertha_net {
	u32 policy;
	bool local;
	u32 setup_timeout_ms;
	unsigned int ndisabled;
	struct {
		char type[BERTHA_NAME_MAX];
		char name[BERTHA_NAME_MAX];
	} disabled[BERTHA_NET_DISABLED_MAX];
	atomic64_t stats[BERTHA_STATS_A_MAX + 1];
	struct xarray socks;
	u32 socks_next;
	atomic64_t chunnel_cnt[BERTHA_CHUNNEL_COUNTERS_MAX];
};

/**
 * struct bertha_sock - an AF_BERTHA socket
 * @sk: the generic socket; must stay first so sk_alloc() sizes us right
 * @dag: the chunnel DAG (set with BERTHA_DAG or negotiated), or NULL;
 *	under lock_sock()
 * @port: the UDP port once bound (shared by a listener and the sockets
 *	it accepted), or NULL; set under lock_sock()
 * @conn: a SEQPACKET socket's connection once connecting; under lock_sock()
 * @accept_queue: a listener's negotiated sockets not yet accepted
 * @accept_node: a child's entry in its listener's @accept_queue
 * @hello_work: retransmits HELLO while connecting
 * @hello_tries: HELLOs sent for the current connect
 * @peers: a SOCK_DGRAM socket's peers (&struct bertha_conn), locked
 * @npeers: entries in @peers
 * @shutdown_lock: orders changes of sk_shutdown, which the local path's
 *	peer makes without the socket lock
 * @cnt: counters
 * @table_id: its id in &bertha_net.socks; 0 once withdrawn
 * @setup_abort: closing: its setup requests fail at once (under setup.c's
 *	lock)
 * @sock_types: the chunnel types whose socket hooks saw it bound, held;
 *	under lock_sock()
 * @chunnel_cnt: the chunnel types' counters of this socket (chunnel.c)
 */
struct bertha_sock {
	struct sock sk;
	struct bertha_dag *dag;
	struct bertha_port *port;
	struct bertha_conn *conn;
	struct list_head accept_queue;
	struct list_head accept_node;
	struct delayed_work hello_work;
	unsigned int hello_tries;
	struct list_head peers;
	unsigned int npeers;
	spinlock_t shutdown_lock;	/* sk_shutdown changes */
	struct bertha_counters cnt;
	u32 table_id;
	bool setup_abort;
	struct bertha_chunnel_type *sock_types[BERTHA_SOCK_TYPES_MAX];
	atomic64_t chunnel_cnt[BERTHA_CHUNNEL_COUNTERS_MAX];
};

static inline struct bertha_sock *bertha_sk(const struct sock *sk)
{
	return container_of(sk, struct bertha_sock, sk);
}

/* dag.c */
int bertha_dag_check(const struct net *net, const struct bertha_dag *dag);
struct bertha_dag *bertha_dag_dup(const void *blob, u32 len, gfp_t gfp);
struct bertha_dag *bertha_dag_from_user(const struct net *net,
					sockptr_t optval, unsigned int optlen);
int bertha_dag_node_parse(const struct nlattr *node,
			  struct bertha_dag_node *out);
const struct nlattr *bertha_dag_find_type(const struct bertha_dag *dag,
					  const char *type, bool *found);
void bertha_dag_binding_args(const struct bertha_dag *dag,
			     const struct bertha_binding_set *b,
			     const struct nlattr **args);

/* netns.c */
struct bertha_net *bertha_net(const struct net *net);
void bertha_net_count(const struct net *net, unsigned int stat, u64 n);
int bertha_netns_init(void);
void bertha_netns_exit(void);

/* genl.c */
int bertha_genl_init(void);
void bertha_genl_exit(void);
void bertha_genl_net_exit(struct net *net);
void bertha_genl_impl_event(const struct bertha_chunnel_impl *impl, u8 cmd);
void *bertha_genl_msg_put(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			  u8 cmd);
bool bertha_genl_has_events(struct net *net);
int bertha_genl_chunnel_counters_put(struct sk_buff *skb, int attr,
				     const atomic64_t *cnt);
int bertha_genl_event(struct net *net, struct sk_buff *skb);

/**
 * struct bertha_helper - the helper behind an implementation registered
 *	from userspace
 * @portid: its netlink port id
 * @ifindex: the device it registered the implementation on, or 0
 * @config: its config blob, valid while the implementation is held
 * @config_len: bytes in @config
 */
struct bertha_helper {
	u32 portid;
	u32 ifindex;
	const u8 *config;
	u32 config_len;
};

bool bertha_impl_helper(const struct bertha_chunnel_impl *impl,
			struct bertha_helper *h);

/* setup.c */
struct bertha_exclusions;
bool bertha_excluded(const struct bertha_exclusions *ex, const char *type,
		     const char *name);
void bertha_setup_teardown(struct bertha_bound *n);
int bertha_setup_answer(const struct net *net, u32 portid, u32 id, u32 status);
void bertha_setup_owner_gone(const struct net *net, u32 portid);
void bertha_setup_abort(struct bertha_sock *bs);

/* conn_table.c */
struct netlink_callback;
int bertha_conn_table_reserve(struct bertha_sock *bs);
void bertha_conn_table_publish(struct bertha_sock *bs);
void bertha_conn_table_del(struct bertha_sock *bs);
int bertha_genl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb);
int bertha_addr_put(struct sk_buff *skb, int attr,
		    const struct sockaddr_bertha *a);
void bertha_conn_event(struct bertha_sock *bs, const struct bertha_conn *conn,
		       u8 cmd);

/* chunnel.c */
bool bertha_chunnel_type_known(const struct net *net, const char *name);
unsigned int bertha_chunnel_list(const struct net *net, const char *type,
				 struct bertha_impl_info *info,
				 unsigned int max);
struct bertha_chunnel_impl *bertha_chunnel_hold(const struct net *net,
						const char *type,
						const char *name);
void bertha_chunnel_put(struct bertha_chunnel_impl *impl);
int bertha_chunnel_hello_put(const struct net *net, const char *type,
			     const char *name, struct sk_buff *skb);
void bertha_chunnel_retire(struct bertha_chunnel_impl *impl);
int bertha_chunnel_disable(const struct net *net, const char *type,
			   const char *name, bool disable);
bool bertha_chunnel_disabled(const struct net *net,
			     const struct bertha_chunnel_impl *impl);
int bertha_chunnel_walk(const struct net *net, unsigned int skip,
			int (*fn)(const struct bertha_chunnel_impl *impl,
				  void *arg),
			void *arg);
bool bertha_chunnel_type_request(const struct net *net, const char *name);
struct bertha_chunnel_type *bertha_chunnel_type_get(const char *name);
void bertha_chunnel_type_put(const struct bertha_chunnel_type *t);
int bertha_chunnel_check_args(const char *type, const struct nlattr *args,
			      struct netlink_ext_ack *extack);
void bertha_chunnel_sock_bind(struct bertha_sock *bs);
void bertha_chunnel_sock_dag(struct bertha_sock *bs);
void bertha_chunnel_sock_release(struct bertha_sock *bs);
int bertha_chunnel_sock_sendmsg(struct bertha_sock *bs, struct msghdr *msg,
				size_t len);
bool bertha_chunnel_port_rcv(struct bertha_port *port, struct sk_buff *skb,
			     u32 conn_id, u16 flags);
int bertha_chunnel_counters_walk(int (*fn)(const char *type,
					   const struct bertha_chunnel_counter *c,
					   unsigned int slot, bool first,
					   void *arg),
				 void *arg);
void bertha_chunnel_legacy_net(struct bertha_net *bn, u64 *val);
void bertha_chunnel_legacy_sock(struct bertha_sock *bs, struct bertha_stats *st);
int bertha_chunnel_init(void);
void bertha_chunnel_exit(void);


/* binding.c */
int bertha_binding_install(struct bertha_binding_set *b,
			   struct bertha_conn *conn, bool initiator,
			   const struct bertha_dag *dag);
void bertha_binding_free(struct bertha_binding_set *b);
void bertha_binding_retire(struct bertha_binding_set *b);
int bertha_binding_xmit(struct bertha_conn *conn, struct sk_buff *skb,
			struct sock *from);
int bertha_binding_xmit_local(struct bertha_binding_set *b,
			      struct sk_buff *skb);
int bertha_binding_rcv(struct bertha_conn *conn, struct bertha_binding_set *b,
		       struct sk_buff *skb, u16 flags);
int bertha_binding_rcv_local(struct bertha_binding_set *b, struct sk_buff *skb);
void bertha_binding_ctrl_rcv(struct bertha_conn *conn,
			     struct bertha_binding_set *b, struct sk_buff *skb,
			     u16 flags);
bool bertha_binding_peer_match(struct bertha_conn *conn,
			       const struct sk_buff *skb);
bool bertha_binding_shutdown(struct bertha_binding_set *b);
bool bertha_binding_can_flush(const struct bertha_binding_set *b);
void bertha_binding_flush(struct bertha_binding_set *b, long timeo);
int bertha_binding_accept_put(struct bertha_binding_set *b,
			      unsigned int index, struct sk_buff *skb);
int bertha_binding_info_put(struct bertha_binding_set *b, unsigned int index,
			    struct sk_buff *skb);
int bertha_binding_to_user(const struct bertha_binding_set *b, u32 path,
			   char __user *optval, int __user *optlen, int len);

/* negotiate.c */
struct sk_buff *bertha_hello_build(struct bertha_sock *bs,
				   const struct bertha_conn *conn);
int bertha_negotiate(struct bertha_sock *listener, struct sk_buff *hello,
		     const struct nlattr **attrs,
		     const struct bertha_exclusions *ex,
		     struct bertha_binding_set **binding,
		     struct bertha_dag **dag);
int bertha_negotiate_setup(struct bertha_sock *listener, struct sk_buff *hello,
			   const struct nlattr **attrs,
			   const struct sockaddr_bertha *from,
			   struct bertha_binding_set **binding,
			   struct bertha_dag **dag, bool *unlocked);
struct sk_buff *bertha_accept_build(const struct bertha_conn *conn,
				    const struct bertha_dag *dag);
struct sk_buff *bertha_reject_build(u64 cookie, u32 reason);
int bertha_accept_parse(struct bertha_sock *bs, struct sk_buff *skb,
			struct bertha_binding_set **binding,
			struct bertha_dag **dag, u32 *peer_id);
int bertha_reject_errno(u32 reason);
int bertha_ctrl_parse(struct sk_buff *skb, const struct nlattr **attrs);

/* conn.c */
int bertha_conn_connect(struct bertha_sock *bs,
			const struct sockaddr_bertha *addr, int flags);
int bertha_conn_listen(struct bertha_sock *bs, int backlog);
int bertha_conn_accept(struct bertha_sock *bs, struct socket *newsock,
		       int flags);
int bertha_conn_shutdown(struct bertha_sock *bs, int how);
void bertha_conn_release(struct bertha_sock *bs);
u32 bertha_conn_path(const struct bertha_conn *conn);
void bertha_sock_shutdown(struct bertha_sock *bs, u8 mask);
void bertha_conn_ctrl_rcv(struct bertha_port *port, struct sk_buff *skb);
bool bertha_conn_data_rcv(struct bertha_conn *conn, struct sk_buff *skb,
			  u8 type, u16 flags);
int bertha_conn_deliver(struct bertha_conn *conn, struct sock *to,
			struct sk_buff *skb);
int bertha_conn_sendmsg(struct bertha_sock *bs, struct msghdr *msg,
			size_t len);
int bertha_conn_xmit(struct bertha_sock *bs, struct bertha_conn *conn,
		     struct msghdr *msg, size_t len);
void bertha_send_close(struct bertha_sock *bs, struct bertha_conn *conn,
		       u16 flags);
void bertha_count_reject(struct bertha_sock *bs, u32 reason);
int bertha_accept_take(struct bertha_sock *bs, struct bertha_conn *conn,
		       struct sk_buff *skb, struct bertha_dag **dag);
void bertha_count_accept(struct bertha_sock *bs,
			 const struct bertha_binding_set *b);
void bertha_conn_free(struct bertha_port *port, struct bertha_conn *conn);
int bertha_hello_send(struct bertha_sock *bs, struct bertha_conn *conn);
void bertha_ctrl_reply(struct bertha_port *port, const struct sk_buff *hello,
		       const struct sockaddr_bertha *to, u32 conn_id, u8 type,
		       struct sk_buff *payload);

/* local.c */
struct bertha_shortcut;
void bertha_local_offer(struct bertha_sock *bs, struct bertha_conn *conn);
void bertha_local_join(struct bertha_conn *conn, const struct nlattr **attrs);
int bertha_local_put_accept(struct sk_buff *skb,
			    const struct bertha_conn *conn);
u32 bertha_local_decide(struct bertha_conn *conn, struct sk_buff *skb);
void bertha_local_confirm(struct bertha_conn *conn);
void bertha_local_shutdown(struct bertha_conn *conn, u16 flags);
void bertha_local_close(struct bertha_conn *conn);
int bertha_local_xmit(struct bertha_sock *bs, struct bertha_conn *conn,
		      struct msghdr *msg, size_t len);

/* dgram.c */
void bertha_dgram_bind(struct bertha_sock *bs);
int bertha_dgram_sendmsg(struct bertha_sock *bs, struct msghdr *msg,
			 size_t len);
int bertha_dgram_hello(struct bertha_sock *bs, struct sk_buff *hello,
		       const struct nlattr **attrs,
		       const struct sockaddr_bertha *from, u32 client_id,
		       u64 cookie);
void bertha_dgram_ctrl_rcv(struct bertha_sock *bs, struct bertha_conn *conn,
			   u8 type, u16 flags, struct sk_buff *skb);
void bertha_dgram_hello_timer(struct bertha_sock *bs);
void bertha_dgram_release(struct bertha_sock *bs, struct list_head *dead);
void bertha_dgram_free(struct list_head *dead);
int bertha_dgram_binding(struct bertha_sock *bs, char __user *optval,
			 int __user *optlen, int len);
void bertha_sock_init(struct bertha_sock *bs);

/* transport.c */
int bertha_transport_bind(struct bertha_sock *bs,
			  const struct sockaddr_bertha *sbe);
void bertha_port_put(struct bertha_port *port);
void bertha_port_get(struct bertha_port *port);
int bertha_port_conn_add(struct bertha_port *port, struct bertha_conn *conn);
void bertha_port_conn_del(struct bertha_port *port, struct bertha_conn *conn);
struct sk_buff *bertha_ctrl_alloc(unsigned int size, gfp_t gfp);
int bertha_port_send(struct bertha_port *port,
		     const struct sockaddr_bertha *src,
		     const struct sockaddr_bertha *to, u8 type, u32 conn_id,
		     u16 flags, struct sk_buff *skb);
void bertha_skb_source(const struct sk_buff *skb,
		       struct sockaddr_bertha *from);
void bertha_skb_dest(const struct sk_buff *skb, struct sockaddr_bertha *to);
bool bertha_skb_from(const struct sk_buff *skb,
		     const struct sockaddr_bertha *peer);
int bertha_transport_autobind(struct bertha_sock *bs, u16 ip_family);
bool bertha_addr_equal(const struct sockaddr_bertha *a,
		       const struct sockaddr_bertha *b);
int bertha_transport_init(void);
void bertha_transport_exit(void);
extern struct workqueue_struct *bertha_wq;
extern u64 bertha_host_id;

/* socket.c, main.c */
extern struct proto bertha_proto;
int bertha_create(struct net *net, struct socket *sock, int protocol,
		  int kern);
struct sock *bertha_sock_alloc(struct net *net, int type, bool kern);
int bertha_family(void);
int bertha_accept(struct socket *sock, struct socket *newsock, int flags,
		  bool kern);

#endif /* _BERTHA_H */
