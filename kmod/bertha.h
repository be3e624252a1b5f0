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
#include <linux/siphash.h>
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

/* Room for the link, IP, UDP and bertha headers in front of a payload,
 * and the cookie that CLOSE and chunnel control messages carry.
 */
#define BERTHA_HEADROOM	(LL_MAX_HEADER + sizeof(struct ipv6hdr) + \
			 sizeof(struct udphdr) + 8 + 8 + 4)

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
 * @rx_spoofed: control datagrams with a connection's id and peer but not
 *	its cookie
 * @rx_bad_version: datagrams of another wire version
 * @retry_sent: RETRYs sent from softirq, the control queue half full
 *	(retry.c); the listener's %retry_sent counts them too
 * @id_key: the key that makes connection ids unpredictable (transport.c)
 * @icmp: ICMP errors about datagrams it sent, for @ctrl_work (icmp.c)
 * @icmp_queued: entries in @icmp
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
	atomic64_t rx_spoofed;
	atomic64_t rx_bad_version;
	atomic64_t retry_sent;
	hsiphash_key_t id_key;
	struct llist_head icmp;
	atomic_t icmp_queued;
};

/**
 * struct bertha_conn - one connection (one negotiated peer)
 * @bs: the socket it belongs to
 * @id: its id on the local port (what the peer puts in headers)
 * @peer_id: the peer's id for it; 0 until negotiated
 * @cookie: chosen by the initiator; names the handshake
 * @retry_token: the token of the listener's RETRY, sent in every HELLO
 *	after it (retry.c); 0 until one came
 * @last_rcv: when the last datagram from the peer came (jiffies), for
 *	keepalive (keepalive.c)
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
 * @peer_closed: the peer closed (a CLOSE that shut down both sides): its
 *	end is gone, so this end's close tells it nothing (close.c)
 * @rcu: frees it after lookups in softirq are done
 */
struct bertha_conn {
	struct bertha_sock *bs;
	u32 id;
	u32 peer_id;
	u64 cookie;
	u64 retry_token;
	unsigned long last_rcv;
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
	bool peer_closed;
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
 * @retry_sent: see &struct bertha_stats
 * @retry_received: see &struct bertha_stats
 * @keepalive_probes: see &struct bertha_stats
 * @keepalive_timeouts: see &struct bertha_stats
 * @handshake_aborts: see &struct bertha_stats
 * @accepted: negotiations_accepted
 * @rejected: negotiations_rejected
 * @fallbacks: see &struct bertha_stats
 * @last_reject_reason: see &struct bertha_stats
 * @rejected_by: &struct bertha_stats.rejected
 * @icmp_errors: &struct bertha_stats.icmp_errors
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
	atomic64_t retry_sent;
	atomic64_t retry_received;
	atomic64_t handshake_aborts;
	atomic64_t keepalive_probes;
	atomic64_t keepalive_timeouts;
	atomic64_t accepted;
	atomic64_t rejected;
	atomic64_t fallbacks;
	atomic_t last_reject_reason;
	atomic64_t rejected_by[BERTHA_REJECT_MAX + 1];
	atomic64_t icmp_errors;
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
 * struct bertha_keepalive - keepalive of a SOCK_SEQPACKET connection
 * @work: probes and judges the peer
 * @idle: %BERTHA_KEEPIDLE, seconds
 * @intvl: %BERTHA_KEEPINTVL, seconds
 * @cnt: %BERTHA_KEEPCNT
 * @probes: probes sent since the peer was last heard
 * @mark: &bertha_conn.last_rcv when the last probe went
 */
struct bertha_keepalive {
	struct delayed_work work;
	u16 idle;
	u16 intvl;
	u8 cnt;
	u8 probes;
	unsigned long mark;
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
 * @ka: keepalive of its connection (keepalive.c)
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
	struct bertha_keepalive ka;
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

#endif /* _BERTHA_H */
