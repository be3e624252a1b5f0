/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * bertha: AF_BERTHA sockets whose connections are DAGs of negotiated chunnels.
 *
 * This is the one uapi header of the project. Items appear here only once
 * the kernel module implements them.
 */
#ifndef _UAPI_LINUX_BERTHA_H
#define _UAPI_LINUX_BERTHA_H

#include <linux/types.h>
#include <linux/socket.h>

/**
 * define BERTHA_AF_DEFAULT - default address family number of AF_BERTHA
 *
 * AF_MAX is compiled into the kernel, so a module cannot add a family above
 * it. bertha.ko reuses slot 25 (AF_WANPIPE), which no in-tree family
 * registers in Linux 6.1 or 6.12. An administrator may load the module with
 * another slot (``insmod bertha.ko family=19``); programs should therefore
 * read the number in use from %BERTHA_AF_SYSFS_PATH and fall back to this
 * value only when the file cannot be read.
 */
#define BERTHA_AF_DEFAULT	25

/**
 * define BERTHA_AF_SYSFS_PATH - where the loaded module publishes its family
 *
 * The file holds the family number in decimal followed by a newline.
 */
#define BERTHA_AF_SYSFS_PATH	"/sys/module/bertha/parameters/family"

/**
 * struct sockaddr_bertha - address of an AF_BERTHA endpoint
 * @sbe_family: the AF_BERTHA family number in use (see %BERTHA_AF_SYSFS_PATH)
 * @sbe_ip_family: AF_INET or AF_INET6: which member of @sbe_addr is valid
 * @sbe_port: UDP port, network byte order; 0 in bind(2) picks a free one
 * @sbe_reserved: must be zero
 * @sbe_scope_id: IPv6 scope (interface index) for link-local addresses
 * @sbe_addr: the IP address, network byte order
 * @sbe_addr.v4: IPv4 address (in_addr_t)
 * @sbe_addr.v6: IPv6 address (the 16 bytes of a struct in6_addr)
 * @sbe_service: reserved for service names; must be all zero
 *
 * Bertha endpoints are real IP:port pairs: the wire is UDP, so tcpdump,
 * netem and XDP see ordinary datagrams. The header avoids <linux/in.h>,
 * which clashes with the C library's <netinet/in.h>.
 */
struct sockaddr_bertha {
	__kernel_sa_family_t	sbe_family;
	__u16			sbe_ip_family;
	__be16			sbe_port;
	__u16			sbe_reserved;
	__u32			sbe_scope_id;
	union {
		__be32		v4;
		__u8		v6[16];
	} sbe_addr;
	__u8			sbe_service[32];
};

/**
 * define SOL_BERTHA - setsockopt(2)/getsockopt(2) level of AF_BERTHA options
 */
#define SOL_BERTHA		299

/**
 * enum bertha_sockopt - AF_BERTHA socket options at level %SOL_BERTHA
 * @BERTHA_DAG: the connection's chunnel DAG, a blob of netlink attributes
 *	(&enum bertha_dag_attrs). Set before connect/listen; get returns the
 *	blob as set. Nested attributes carry NLA_F_NESTED. Errors: EINVAL for
 *	a malformed blob (bad lengths, unknown attributes, trailing bytes, a
 *	node without a type, a ``select`` without two alternatives,
 *	alternatives on any other type, a ``shard`` node whose arguments
 *	are not ``ports=P1,...,Pn`` (1 to 16 distinct ports, 1..65535),
 *	optionally ``key=OFF:LEN`` (LEN 1..16, OFF + LEN at most
 *	%BERTHA_MSG_MAX; default 0:4) and ``fn=fnv1a``), E2BIG when a limit
 *	below is exceeded, EPROTONOSUPPORT for a chunnel type no one
 *	registered, ERANGE from get when the buffer is too small (the needed
 *	size is written to optlen), ENOENT from get before any DAG was set.
 * @BERTHA_STATS: read-only &struct bertha_stats of the socket
 * @BERTHA_BINDING: read-only &struct bertha_binding: the implementation
 *	negotiation chose for each chunnel of a connected socket. On a
 *	SOCK_DGRAM socket the caller puts the peer's &struct sockaddr_bertha
 *	at the start of the buffer, and gets that peer's binding (EINVAL when
 *	the buffer is shorter than the address). ENOTCONN
 *	before negotiation finished; ERANGE (with the needed size written to
 *	optlen) when the buffer is too small.
 * @BERTHA_KEEPIDLE: int, seconds a connection is idle (nothing received
 *	from the peer) before keepalive probes start, once %SO_KEEPALIVE is
 *	on; 1 to %BERTHA_KEEP_MAX, default 7200 (as TCP_KEEPIDLE)
 * @BERTHA_KEEPINTVL: int, seconds between probes; 1 to %BERTHA_KEEP_MAX,
 *	default 75 (as TCP_KEEPINTVL)
 * @BERTHA_KEEPCNT: int, probes left unanswered before the connection is
 *	declared dead (%ETIMEDOUT); 1 to 127, default 9 (as TCP_KEEPCNT).
 *	The three are SOCK_SEQPACKET options (EOPNOTSUPP on SOCK_DGRAM);
 *	EINVAL out of range; an accepted socket inherits its listener's.
 */
enum bertha_sockopt {
	BERTHA_DAG = 1,
	BERTHA_STATS = 2,
	BERTHA_BINDING = 3,
	BERTHA_KEEPIDLE = 4,
	BERTHA_KEEPINTVL = 5,
	BERTHA_KEEPCNT = 6,
};

/**
 * define BERTHA_KEEP_MAX - largest %BERTHA_KEEPIDLE and %BERTHA_KEEPINTVL
 */
#define BERTHA_KEEP_MAX		32767

/**
 * define BERTHA_MSG_MAX - largest message, in bytes, a send may carry
 *
 * One message travels in one UDP datagram over IPv4 or IPv6; the limit
 * leaves room for the bertha header and for chunnels that add their own.
 * Larger sends fail with EMSGSIZE.
 */
#define BERTHA_MSG_MAX		65000

/**
 * enum bertha_where - where a bound chunnel implementation runs, as seen
 *	from the socket that reports the binding
 * @BERTHA_WHERE_NONE: not bound (unused in a complete binding)
 * @BERTHA_WHERE_LOCAL: at this end only
 * @BERTHA_WHERE_PEER: at the peer only
 * @BERTHA_WHERE_BOTH: at both ends (a both-endpoint chunnel)
 * @BERTHA_WHERE_ELIDED: bound at both ends but not run, because the local
 *	fast path already does its work (``reliable``)
 */
enum bertha_where {
	BERTHA_WHERE_NONE,
	BERTHA_WHERE_LOCAL,
	BERTHA_WHERE_PEER,
	BERTHA_WHERE_BOTH,
	BERTHA_WHERE_ELIDED,
};

/**
 * struct bertha_binding_node - one chunnel of a negotiated binding
 * @type: the chunnel type, NUL-terminated
 * @impl: the chosen implementation's name, NUL-terminated
 * @where: &enum bertha_where
 * @priority: the chosen implementation's priority
 * @scope: the chosen implementation's &enum bertha_scope
 * @choice: for a ``select`` node, the index (from 0) of the alternative
 *	negotiation picked; 0 otherwise
 *
 * Nodes appear in DAG order: a node, then the alternative a ``select``
 * picked, then what follows it.
 */
struct bertha_binding_node {
	char	type[32];
	char	impl[32];
	__u32	where;
	__u32	priority;
	__u32	scope;
	__u32	choice;
};

/**
 * enum bertha_path - how a connection's messages travel
 * @BERTHA_PATH_NETWORK: in UDP datagrams through the network stack (IP,
 *	routing, devices), also to a peer on this host when the local fast
 *	path is disabled
 * @BERTHA_PATH_LOCAL: the local fast path: the peer is a socket on this
 *	host (in any network namespace) and messages go straight to its
 *	receive queue
 */
enum bertha_path {
	BERTHA_PATH_NETWORK,
	BERTHA_PATH_LOCAL,
};

/**
 * struct bertha_binding - getsockopt(%BERTHA_BINDING)
 * @count: number of entries in @node
 * @path: &enum bertha_path
 * @node: the bound chunnels, in DAG order
 */
struct bertha_binding {
	__u32				count;
	__u32				path;
	struct bertha_binding_node	node[];
};

/**
 * enum bertha_reject_reason - why a listener refused a connection
 * @BERTHA_REJECT_NONE: not rejected
 * @BERTHA_REJECT_NOT_LISTENING: no listening socket of the right type on
 *	that address; connect(2) fails with ECONNREFUSED
 * @BERTHA_REJECT_MALFORMED: the HELLO's DAG or implementation list is
 *	malformed; EPROTO (a HELLO whose envelope cannot be parsed is dropped
 *	and counted, and the client times out)
 * @BERTHA_REJECT_DAG_MISMATCH: client and listener set different DAGs;
 *	EPROTOTYPE
 * @BERTHA_REJECT_NO_IMPLEMENTATION: a chunnel has no implementation both
 *	ends can use (a both-endpoint chunnel missing at one end, a scope no
 *	implementation satisfies, every implementation at capacity);
 *	EPROTONOSUPPORT
 * @BERTHA_REJECT_VERSION: the HELLO was of a wire format version the
 *	listener does not speak; EPROTONOSUPPORT. A version 1 client is told
 *	%BERTHA_REJECT_MALFORMED instead, the reason it knows.
 * @__BERTHA_REJECT_MAX: internal; %BERTHA_REJECT_MAX is the highest reason
 */
enum bertha_reject_reason {
	BERTHA_REJECT_NONE,
	BERTHA_REJECT_NOT_LISTENING,
	BERTHA_REJECT_MALFORMED,
	BERTHA_REJECT_DAG_MISMATCH,
	BERTHA_REJECT_NO_IMPLEMENTATION,
	BERTHA_REJECT_VERSION,
	__BERTHA_REJECT_MAX,
};

#define BERTHA_REJECT_MAX (__BERTHA_REJECT_MAX - 1)

/**
 * struct bertha_stats - per-socket counters, getsockopt(%BERTHA_STATS)
 * @rx_malformed: datagrams on the socket's UDP port too short for a bertha
 *	header, or with an unknown version or type; dropped
 * @rx_unexpected: well-formed datagrams that match no connection of the
 *	socket, or come from another address than its peer's, or find 256
 *	control datagrams already waiting; dropped
 * @rx_dropped: messages dropped because the receive buffer was full, a
 *	socket filter or a chunnel's receive op refused them, or the socket
 *	was shut down for reading
 * @tx_messages: messages sent
 * @rx_messages: messages queued for the application
 * @hello_sent: HELLOs sent, retransmissions included
 * @hello_retransmits: HELLOs sent again after no answer
 * @hello_received: well-formed HELLOs a listener processed
 * @hello_duplicate: HELLOs of a connection already accepted (answered again)
 * @hello_backlog_drops: HELLOs dropped because the accept queue was full
 * @negotiations_accepted: connections negotiated (either end)
 * @negotiations_rejected: connections refused (either end)
 * @fallbacks: chunnels bound to an implementation of lower priority than
 *	the best one either end has (the peer lacks it, scope, capacity, or
 *	the policy preferred the client's); counted where the choice is made,
 *	the listener
 * @last_reject_reason: &enum bertha_reject_reason of the last refusal
 * @reserved: zero
 * @rejected: refusals counted by &enum bertha_reject_reason
 * @rel_retransmits: ``reliable``: messages this socket sent again
 * @rel_duplicates: ``reliable``: duplicates it received and dropped
 * @rel_out_of_order: ``reliable``: messages it received early and held
 *	back until the ones before them came
 * @rel_timeouts: ``reliable``: retransmission timeouts
 * @shard_forwarded: ``shard/server``: messages this canonical socket moved
 *	to a shard socket's receive queue
 * @shard_pushed: ``shard/client-push``: messages this client sent to a
 *	shard port instead of the canonical port
 * @shard_dropped: ``shard``: messages dropped: on a canonical socket,
 *	because their shard socket does not exist or its receive buffer is
 *	full, or because a DATA on a shard port named no peer of the group;
 *	on a shard socket, because its receive buffer was full
 * @icmp_errors: ICMP errors (port, host or network unreachable) about a
 *	datagram one of its connections sent, which failed a connect under
 *	way (the errno it returned), ended a connection whose peer's port is
 *	gone (%ECONNREFUSED) or was noted as a soft error
 * @rx_spoofed: control datagrams (ACCEPT, REJECT, CLOSE, chunnel control)
 *	that named a connection of its port and came from its peer's address
 *	but carried another cookie: dropped, as an off-path sender's would be
 * @rx_bad_version: datagrams of a wire format version this end does not
 *	speak, received on its port (HELLOs among them answered with a
 *	REJECT their sender can read)
 * @retry_sent: listener or bound SOCK_DGRAM socket: HELLOs answered with a
 *	RETRY under a flood of them, instead of a connection
 * @retry_received: initiator: RETRYs it took, sending its HELLO again with
 *	the token
 * @keepalive_probes: keepalive probes it sent to its peer
 * @keepalive_timeouts: 1 once its peer left %BERTHA_KEEPCNT probes
 *	unanswered and the connection ended with %ETIMEDOUT
 * @handshake_aborts: listener: connections whose client gave up the
 *	handshake (its ACCEPT lost), dropped from the accept queue, or reset
 *	when already accepted
 *
 * getsockopt copies as many leading bytes as the caller's buffer holds and
 * sets optlen to that; new core counters are appended. The ``rel_*`` and
 * ``shard_*`` fields stay for the programs that read them, and chunnels
 * report their counters (these included) by name through generic netlink
 * (%BERTHA_CONN_A_CHUNNEL_STATS, %BERTHA_STATS_A_CHUNNEL) instead.
 */
struct bertha_stats {
	__u64	rx_malformed;
	__u64	rx_unexpected;
	__u64	rx_dropped;
	__u64	tx_messages;
	__u64	rx_messages;
	__u64	hello_sent;
	__u64	hello_retransmits;
	__u64	hello_received;
	__u64	hello_duplicate;
	__u64	hello_backlog_drops;
	__u64	negotiations_accepted;
	__u64	negotiations_rejected;
	__u64	fallbacks;
	__u32	last_reject_reason;
	__u32	reserved;
	__u64	rejected[8];
	__u64	rel_retransmits;
	__u64	rel_duplicates;
	__u64	rel_out_of_order;
	__u64	rel_timeouts;
	__u64	shard_forwarded;
	__u64	shard_pushed;
	__u64	shard_dropped;
	__u64	icmp_errors;
	__u64	rx_spoofed;
	__u64	rx_bad_version;
	__u64	retry_sent;
	__u64	retry_received;
	__u64	keepalive_probes;
	__u64	keepalive_timeouts;
	__u64	handshake_aborts;
};

/**
 * define BERTHA_DAG_MAX_BYTES - largest DAG blob accepted
 */
#define BERTHA_DAG_MAX_BYTES	4096

/**
 * define BERTHA_DAG_MAX_NODES - most chunnel nodes in one DAG
 */
#define BERTHA_DAG_MAX_NODES	32

/**
 * define BERTHA_DAG_MAX_DEPTH - longest path of nodes from the root
 */
#define BERTHA_DAG_MAX_DEPTH	8

/**
 * define BERTHA_NAME_MAX - size of a chunnel type name, with its NUL
 */
#define BERTHA_NAME_MAX		32

/**
 * enum bertha_dag_attrs - the top level of a DAG blob, and of a node list
 * @BERTHA_DAG_A_UNSPEC: unused
 * @BERTHA_DAG_A_NODE: nested &enum bertha_node_attrs. The blob, and a
 *	node's %BERTHA_NODE_A_NEXT, hold exactly one; a node's
 *	%BERTHA_NODE_A_ALTERNATIVES holds two or more.
 * @__BERTHA_DAG_A_MAX: internal; %BERTHA_DAG_A_MAX is the highest attribute
 *
 * A DAG is a tree of nodes: the paper's ``a |> b`` is node a whose NEXT is
 * node b; ``select(a, b)`` is a node of type ``select`` whose ALTERNATIVES
 * are the heads of the two branches. Being a tree of nested attributes, a
 * DAG cannot contain a cycle.
 */
enum bertha_dag_attrs {
	BERTHA_DAG_A_UNSPEC,
	BERTHA_DAG_A_NODE,
	__BERTHA_DAG_A_MAX,
};

#define BERTHA_DAG_A_MAX (__BERTHA_DAG_A_MAX - 1)

/**
 * enum bertha_node_attrs - one chunnel node of a DAG
 * @BERTHA_NODE_A_UNSPEC: unused
 * @BERTHA_NODE_A_TYPE: NUL-terminated chunnel type name (required),
 *	at most %BERTHA_NAME_MAX bytes with the NUL
 * @BERTHA_NODE_A_ARGS: nested list of %BERTHA_ARG_A_ARG, the node's
 *	arguments (``shard(ports=7001,7002)``), interpreted by the chunnel
 * @BERTHA_NODE_A_SCOPE: u32 &enum bertha_scope, where the chunnel's
 *	implementation may run; absent means %BERTHA_SCOPE_ANY
 * @BERTHA_NODE_A_NEXT: nested &enum bertha_dag_attrs with one node: the
 *	rest of the pipeline after this node
 * @BERTHA_NODE_A_ALTERNATIVES: nested &enum bertha_dag_attrs with two or
 *	more nodes; only on a ``select`` node, whose negotiation picks one
 * @__BERTHA_NODE_A_MAX: internal; %BERTHA_NODE_A_MAX is the highest attribute
 */
enum bertha_node_attrs {
	BERTHA_NODE_A_UNSPEC,
	BERTHA_NODE_A_TYPE,
	BERTHA_NODE_A_ARGS,
	BERTHA_NODE_A_SCOPE,
	BERTHA_NODE_A_NEXT,
	BERTHA_NODE_A_ALTERNATIVES,
	__BERTHA_NODE_A_MAX,
};

#define BERTHA_NODE_A_MAX (__BERTHA_NODE_A_MAX - 1)

/**
 * enum bertha_arg_attrs - one argument of a node, inside %BERTHA_NODE_A_ARGS
 * @BERTHA_ARG_A_UNSPEC: unused
 * @BERTHA_ARG_A_ARG: nested: %BERTHA_ARG_A_KEY and %BERTHA_ARG_A_VALUE
 * @BERTHA_ARG_A_KEY: NUL-terminated name, at most %BERTHA_NAME_MAX bytes
 * @BERTHA_ARG_A_VALUE: NUL-terminated value text, at most 256 bytes
 * @__BERTHA_ARG_A_MAX: internal; %BERTHA_ARG_A_MAX is the highest attribute
 */
enum bertha_arg_attrs {
	BERTHA_ARG_A_UNSPEC,
	BERTHA_ARG_A_ARG,
	BERTHA_ARG_A_KEY,
	BERTHA_ARG_A_VALUE,
	__BERTHA_ARG_A_MAX,
};

#define BERTHA_ARG_A_MAX (__BERTHA_ARG_A_MAX - 1)

/**
 * enum bertha_scope - where a chunnel implementation may run (paper §3.1)
 * @BERTHA_SCOPE_ANY: no constraint
 * @BERTHA_SCOPE_APPLICATION: with the application: its socket, its kernel
 * @BERTHA_SCOPE_HOST: on the application's host, including its NIC
 * @BERTHA_SCOPE_NETWORK: anywhere on the path, including switches
 * @__BERTHA_SCOPE_MAX: internal; %BERTHA_SCOPE_MAX is the highest scope
 */
enum bertha_scope {
	BERTHA_SCOPE_ANY,
	BERTHA_SCOPE_APPLICATION,
	BERTHA_SCOPE_HOST,
	BERTHA_SCOPE_NETWORK,
	__BERTHA_SCOPE_MAX,
};

#define BERTHA_SCOPE_MAX (__BERTHA_SCOPE_MAX - 1)

/**
 * enum bertha_endpoints - which ends of a connection an implementation needs
 * @BERTHA_ENDPOINTS_ONE: works at one end alone (e.g. server-side steering)
 * @BERTHA_ENDPOINTS_BOTH: both peers must run it (e.g. reliable delivery)
 * @__BERTHA_ENDPOINTS_MAX: internal; %BERTHA_ENDPOINTS_MAX is the highest
 */
enum bertha_endpoints {
	BERTHA_ENDPOINTS_ONE,
	BERTHA_ENDPOINTS_BOTH,
	__BERTHA_ENDPOINTS_MAX,
};

#define BERTHA_ENDPOINTS_MAX (__BERTHA_ENDPOINTS_MAX - 1)

/*
 * The generic netlink family "bertha": the discovery registry, the policy
 * and the counters of a network namespace. Documentation/netlink/specs/
 * bertha.yaml is the contract; the values here follow it.
 */

/**
 * define BERTHA_GENL_NAME - name of the generic netlink family
 */
#define BERTHA_GENL_NAME	"bertha"

/**
 * define BERTHA_GENL_VERSION - version of the generic netlink family
 */
#define BERTHA_GENL_VERSION	1

/**
 * define BERTHA_GENL_MCGRP_EVENTS - multicast group of registry and connection events
 */
#define BERTHA_GENL_MCGRP_EVENTS	"events"

/**
 * enum bertha_origin - who registered an implementation
 * @BERTHA_ORIGIN_KERNEL: a kernel module (bertha.ko's own fallbacks too)
 * @BERTHA_ORIGIN_USERSPACE: a process, over generic netlink
 */
enum bertha_origin {
	BERTHA_ORIGIN_KERNEL,
	BERTHA_ORIGIN_USERSPACE,
};

/**
 * enum bertha_policy - how negotiation chooses among implementations
 * @BERTHA_POLICY_PREFER_CLIENT: the client's first, then priority (default)
 * @BERTHA_POLICY_PREFER_SERVER: the listener's first, then priority
 * @BERTHA_POLICY_PREFER_PRIORITY: the highest priority at either end
 * @__BERTHA_POLICY_MAX: internal; %BERTHA_POLICY_MAX is the highest value
 *
 * Ties go to name order, so both ends and every retry agree.
 */
enum bertha_policy {
	BERTHA_POLICY_PREFER_CLIENT,
	BERTHA_POLICY_PREFER_SERVER,
	BERTHA_POLICY_PREFER_PRIORITY,
	__BERTHA_POLICY_MAX,
};

#define BERTHA_POLICY_MAX (__BERTHA_POLICY_MAX - 1)

/**
 * enum bertha_cmd - commands of the "bertha" family
 * @BERTHA_CMD_UNSPEC: unused
 * @BERTHA_CMD_INFO_GET: family number, version, host id (&enum bertha_info_attrs)
 * @BERTHA_CMD_IMPL_GET: dump the implementations the namespace sees
 *	(&enum bertha_impl_attrs)
 * @BERTHA_CMD_IMPL_ADD: register an implementation; needs CAP_NET_ADMIN
 * @BERTHA_CMD_IMPL_DEL: withdraw one; needs CAP_NET_ADMIN
 * @BERTHA_CMD_POLICY_GET: the policy (&enum bertha_policy_attrs)
 * @BERTHA_CMD_POLICY_SET: change it; needs CAP_NET_ADMIN
 * @BERTHA_CMD_STATS_GET: counters (&enum bertha_stats_attrs)
 * @BERTHA_CMD_IMPL_ADD_NTF: event: an implementation was registered
 * @BERTHA_CMD_IMPL_DEL_NTF: event: an implementation was withdrawn
 * @BERTHA_CMD_CONN_GET: dump the AF_BERTHA sockets and connections of the
 *	namespace, like ss(8) (&enum bertha_conn_attrs)
 * @BERTHA_CMD_CONN_ESTABLISHED_NTF: event: a connection was negotiated
 *	(&enum bertha_conn_attrs, with its binding)
 * @BERTHA_CMD_CONN_CLOSED_NTF: event: a negotiated connection went
 *	(&enum bertha_conn_attrs, state %BERTHA_CONN_STATE_CLOSE)
 * @BERTHA_CMD_SETUP_REQ_NTF: event: the kernel asks the helper that
 *	registered an implementation to set it up for a connection
 *	(&enum bertha_setup_attrs); the helper answers with
 *	%BERTHA_CMD_SETUP_DONE before the namespace's setup timeout
 * @BERTHA_CMD_TEARDOWN_REQ_NTF: event: a connection that a helper set up
 *	went; the helper undoes what it did (&enum bertha_setup_attrs, no
 *	answer)
 * @BERTHA_CMD_SETUP_DONE: a helper's answer to a setup request: its id and
 *	a status; needs CAP_NET_ADMIN and must come from the socket that
 *	registered the implementation
 * @BERTHA_CMD_IMPL_SET: disable or enable an implementation the namespace
 *	sees, kernel modules' included, for this namespace only
 *	(%BERTHA_IMPL_A_TYPE, %BERTHA_IMPL_A_NAME, %BERTHA_IMPL_A_DISABLED);
 *	needs CAP_NET_ADMIN
 * @__BERTHA_CMD_MAX: internal; %BERTHA_CMD_MAX is the highest command
 */
enum bertha_cmd {
	BERTHA_CMD_UNSPEC,
	BERTHA_CMD_INFO_GET,
	BERTHA_CMD_IMPL_GET,
	BERTHA_CMD_IMPL_ADD,
	BERTHA_CMD_IMPL_DEL,
	BERTHA_CMD_POLICY_GET,
	BERTHA_CMD_POLICY_SET,
	BERTHA_CMD_STATS_GET,
	BERTHA_CMD_IMPL_ADD_NTF,
	BERTHA_CMD_IMPL_DEL_NTF,
	BERTHA_CMD_CONN_GET,
	BERTHA_CMD_CONN_ESTABLISHED_NTF,
	BERTHA_CMD_CONN_CLOSED_NTF,
	BERTHA_CMD_SETUP_REQ_NTF,
	BERTHA_CMD_TEARDOWN_REQ_NTF,
	BERTHA_CMD_SETUP_DONE,
	BERTHA_CMD_IMPL_SET,
	__BERTHA_CMD_MAX,
};

#define BERTHA_CMD_MAX (__BERTHA_CMD_MAX - 1)

/**
 * enum bertha_info_attrs - attributes of %BERTHA_CMD_INFO_GET
 * @BERTHA_INFO_A_UNSPEC: unused
 * @BERTHA_INFO_A_FAMILY: u32, the AF_BERTHA family number
 * @BERTHA_INFO_A_VERSION: u32, %BERTHA_GENL_VERSION
 * @BERTHA_INFO_A_HOST_ID: u64, this host's random identity
 * @BERTHA_INFO_A_PAD: padding for u64 alignment
 * @__BERTHA_INFO_A_MAX: internal
 */
enum bertha_info_attrs {
	BERTHA_INFO_A_UNSPEC,
	BERTHA_INFO_A_FAMILY,
	BERTHA_INFO_A_VERSION,
	BERTHA_INFO_A_HOST_ID,
	BERTHA_INFO_A_PAD,
	__BERTHA_INFO_A_MAX,
};

#define BERTHA_INFO_A_MAX (__BERTHA_INFO_A_MAX - 1)

/**
 * enum bertha_impl_attrs - an implementation (IMPL_GET/ADD/DEL and events)
 * @BERTHA_IMPL_A_UNSPEC: unused
 * @BERTHA_IMPL_A_TYPE: string, the chunnel type
 * @BERTHA_IMPL_A_NAME: string, the implementation name
 * @BERTHA_IMPL_A_PRIORITY: u32
 * @BERTHA_IMPL_A_SCOPE: u32 &enum bertha_scope
 * @BERTHA_IMPL_A_ENDPOINTS: u32 &enum bertha_endpoints
 * @BERTHA_IMPL_A_CAPACITY: u32, connections at once; 0 for unlimited
 * @BERTHA_IMPL_A_IFINDEX: u32, the device it lives on, or 0
 * @BERTHA_IMPL_A_CONFIG: binary, at most 1024 bytes, for the helper
 * @BERTHA_IMPL_A_ORIGIN: u32 &enum bertha_origin (reported)
 * @BERTHA_IMPL_A_USERS: u32, connections bound to it (reported)
 * @BERTHA_IMPL_A_SETUP: flag: the registering socket answers setup
 *	requests (%BERTHA_CMD_SETUP_REQ_NTF), so a listener asks it before it
 *	uses the implementation for a connection; without it, the
 *	implementation is used as it is
 * @BERTHA_IMPL_A_DISABLED: u8, 1 when the namespace disabled it
 *	(%BERTHA_CMD_IMPL_SET): negotiation neither offers nor chooses it
 * @__BERTHA_IMPL_A_MAX: internal
 */
enum bertha_impl_attrs {
	BERTHA_IMPL_A_UNSPEC,
	BERTHA_IMPL_A_TYPE,
	BERTHA_IMPL_A_NAME,
	BERTHA_IMPL_A_PRIORITY,
	BERTHA_IMPL_A_SCOPE,
	BERTHA_IMPL_A_ENDPOINTS,
	BERTHA_IMPL_A_CAPACITY,
	BERTHA_IMPL_A_IFINDEX,
	BERTHA_IMPL_A_CONFIG,
	BERTHA_IMPL_A_ORIGIN,
	BERTHA_IMPL_A_USERS,
	BERTHA_IMPL_A_SETUP,
	BERTHA_IMPL_A_DISABLED,
	__BERTHA_IMPL_A_MAX,
};

#define BERTHA_IMPL_A_MAX (__BERTHA_IMPL_A_MAX - 1)

/**
 * define BERTHA_IMPL_CONFIG_MAX - largest %BERTHA_IMPL_A_CONFIG
 */
#define BERTHA_IMPL_CONFIG_MAX	1024

/**
 * enum bertha_policy_attrs - attributes of POLICY_GET/SET
 * @BERTHA_POLICY_A_UNSPEC: unused
 * @BERTHA_POLICY_A_POLICY: u32 &enum bertha_policy
 * @BERTHA_POLICY_A_LOCAL: u8, 1 if the local fast path may be used
 * @BERTHA_POLICY_A_SETUP_TIMEOUT: u32, milliseconds a helper has to answer
 *	a setup request (1 to 60000, default 1000) before the connection
 *	falls back to the next implementation
 * @__BERTHA_POLICY_A_MAX: internal
 */
enum bertha_policy_attrs {
	BERTHA_POLICY_A_UNSPEC,
	BERTHA_POLICY_A_POLICY,
	BERTHA_POLICY_A_LOCAL,
	BERTHA_POLICY_A_SETUP_TIMEOUT,
	__BERTHA_POLICY_A_MAX,
};

#define BERTHA_POLICY_A_MAX (__BERTHA_POLICY_A_MAX - 1)

/**
 * enum bertha_stats_attrs - attributes of %BERTHA_CMD_STATS_GET, all u64
 * @BERTHA_STATS_A_UNSPEC: unused
 * @BERTHA_STATS_A_HELLO_SENT: HELLOs sent, retransmissions included
 * @BERTHA_STATS_A_HELLO_RECEIVED: well-formed HELLOs a listener processed
 * @BERTHA_STATS_A_ACCEPTED: negotiations that made a connection
 * @BERTHA_STATS_A_REJECTED: negotiations refused
 * @BERTHA_STATS_A_REJECTED_NOT_LISTENING: refused: not listening
 * @BERTHA_STATS_A_REJECTED_MALFORMED: refused: malformed
 * @BERTHA_STATS_A_REJECTED_DAG_MISMATCH: refused: different DAGs
 * @BERTHA_STATS_A_REJECTED_NO_IMPLEMENTATION: refused: no implementation
 * @BERTHA_STATS_A_FALLBACKS: chunnels bound below the best implementation
 * @BERTHA_STATS_A_PAD: padding for u64 alignment
 * @BERTHA_STATS_A_LOCAL_PATH: connections of this namespace (either end)
 *	that took the local fast path
 * @BERTHA_STATS_A_REL_RETRANSMITS: ``reliable``: messages sent again
 * @BERTHA_STATS_A_REL_DUPLICATES: ``reliable``: duplicates dropped
 * @BERTHA_STATS_A_REL_OUT_OF_ORDER: ``reliable``: messages that arrived
 *	early and were held back to keep the order
 * @BERTHA_STATS_A_REL_TIMEOUTS: ``reliable``: retransmission timeouts
 * @BERTHA_STATS_A_SETUP_REQUESTS: setup requests sent to helpers
 * @BERTHA_STATS_A_FALLBACK_SETUP_TIMEOUT: implementations given up, and
 *	negotiated again without, because their helper did not answer a
 *	setup request in time
 * @BERTHA_STATS_A_FALLBACK_SETUP_FAILED: the same because the helper
 *	answered with an error, was not listening, or went away
 * @BERTHA_STATS_A_SHARD_FORWARDED: ``shard/server``: messages moved to a
 *	shard socket
 * @BERTHA_STATS_A_SHARD_PUSHED: ``shard/client-push``: messages sent to a
 *	shard port
 * @BERTHA_STATS_A_SHARD_DROPPED: ``shard``: messages dropped for want of a
 *	shard socket, of room in its buffer, or of a group peer
 * @BERTHA_STATS_A_CHUNNEL: nested &enum bertha_chunnel_stats_attrs,
 *	repeated: the counters of one chunnel type. Every chunnel reports its
 *	counters here; the ``REL_*`` and ``SHARD_*`` attributes above repeat
 *	some of them for older tools and no chunnel adds attributes to this
 *	enum any more.
 * @BERTHA_STATS_A_ICMP_ERRORS: ICMP errors the namespace's bertha ports
 *	received about datagrams they sent (path MTU ones included)
 * @BERTHA_STATS_A_REJECTED_VERSION: refused: a HELLO of a wire version
 *	the listener does not speak
 * @BERTHA_STATS_A_RX_SPOOFED: control datagrams with a connection's id
 *	and peer address but another cookie, dropped
 * @BERTHA_STATS_A_RX_BAD_VERSION: datagrams of another wire version
 * @BERTHA_STATS_A_RETRY_SENT: HELLOs answered with a RETRY under a flood
 * @BERTHA_STATS_A_CLOSE_RETRANSMITS: CLOSEs sent again, their echo not
 *	come yet
 * @BERTHA_STATS_A_CLOSE_UNACKED: CLOSEs given up after the last
 *	retransmission, never echoed
 * @BERTHA_STATS_A_ABORTS: handshakes their client gave up, whose
 *	connection a listener dropped from its accept queue or reset
 * @__BERTHA_STATS_A_MAX: internal
 */
enum bertha_stats_attrs {
	BERTHA_STATS_A_UNSPEC,
	BERTHA_STATS_A_HELLO_SENT,
	BERTHA_STATS_A_HELLO_RECEIVED,
	BERTHA_STATS_A_ACCEPTED,
	BERTHA_STATS_A_REJECTED,
	BERTHA_STATS_A_REJECTED_NOT_LISTENING,
	BERTHA_STATS_A_REJECTED_MALFORMED,
	BERTHA_STATS_A_REJECTED_DAG_MISMATCH,
	BERTHA_STATS_A_REJECTED_NO_IMPLEMENTATION,
	BERTHA_STATS_A_FALLBACKS,
	BERTHA_STATS_A_PAD,
	BERTHA_STATS_A_LOCAL_PATH,
	BERTHA_STATS_A_REL_RETRANSMITS,
	BERTHA_STATS_A_REL_DUPLICATES,
	BERTHA_STATS_A_REL_OUT_OF_ORDER,
	BERTHA_STATS_A_REL_TIMEOUTS,
	BERTHA_STATS_A_SETUP_REQUESTS,
	BERTHA_STATS_A_FALLBACK_SETUP_TIMEOUT,
	BERTHA_STATS_A_FALLBACK_SETUP_FAILED,
	BERTHA_STATS_A_SHARD_FORWARDED,
	BERTHA_STATS_A_SHARD_PUSHED,
	BERTHA_STATS_A_SHARD_DROPPED,
	BERTHA_STATS_A_CHUNNEL,
	BERTHA_STATS_A_ICMP_ERRORS,
	BERTHA_STATS_A_REJECTED_VERSION,
	BERTHA_STATS_A_RX_SPOOFED,
	BERTHA_STATS_A_RX_BAD_VERSION,
	BERTHA_STATS_A_RETRY_SENT,
	BERTHA_STATS_A_CLOSE_RETRANSMITS,
	BERTHA_STATS_A_CLOSE_UNACKED,
	BERTHA_STATS_A_ABORTS,
	__BERTHA_STATS_A_MAX,
};

#define BERTHA_STATS_A_MAX (__BERTHA_STATS_A_MAX - 1)

/**
 * enum bertha_chunnel_stats_attrs - the counters of one chunnel type,
 *	nested in %BERTHA_STATS_A_CHUNNEL and %BERTHA_CONN_A_CHUNNEL_STATS
 * @BERTHA_CHUNNEL_STATS_A_UNSPEC: unused
 * @BERTHA_CHUNNEL_STATS_A_TYPE: string, the chunnel type
 * @BERTHA_CHUNNEL_STATS_A_COUNTER: nested &enum bertha_counter_attrs,
 *	repeated, one per counter the type declares
 * @__BERTHA_CHUNNEL_STATS_A_MAX: internal
 */
enum bertha_chunnel_stats_attrs {
	BERTHA_CHUNNEL_STATS_A_UNSPEC,
	BERTHA_CHUNNEL_STATS_A_TYPE,
	BERTHA_CHUNNEL_STATS_A_COUNTER,
	__BERTHA_CHUNNEL_STATS_A_MAX,
};

#define BERTHA_CHUNNEL_STATS_A_MAX (__BERTHA_CHUNNEL_STATS_A_MAX - 1)

/**
 * enum bertha_counter_attrs - one named counter
 * @BERTHA_COUNTER_A_UNSPEC: unused
 * @BERTHA_COUNTER_A_NAME: string, the counter's name
 * @BERTHA_COUNTER_A_VALUE: u64
 * @BERTHA_COUNTER_A_PAD: padding for u64 alignment
 * @__BERTHA_COUNTER_A_MAX: internal
 */
enum bertha_counter_attrs {
	BERTHA_COUNTER_A_UNSPEC,
	BERTHA_COUNTER_A_NAME,
	BERTHA_COUNTER_A_VALUE,
	BERTHA_COUNTER_A_PAD,
	__BERTHA_COUNTER_A_MAX,
};

#define BERTHA_COUNTER_A_MAX (__BERTHA_COUNTER_A_MAX - 1)

/**
 * enum bertha_conn_state - state of a socket or connection in a dump or event
 * @BERTHA_CONN_STATE_CLOSE: not connected: a bound socket that neither
 *	listens nor connects (a SOCK_DGRAM socket itself, a failed connect),
 *	a SOCK_DGRAM peer whose negotiation failed, or a connection that went
 *	(%BERTHA_CMD_CONN_CLOSED_NTF)
 * @BERTHA_CONN_STATE_SYN_SENT: negotiating: a HELLO is unanswered
 * @BERTHA_CONN_STATE_ESTABLISHED: negotiated; the binding is reported
 * @BERTHA_CONN_STATE_LISTEN: a listening SOCK_SEQPACKET socket
 */
enum bertha_conn_state {
	BERTHA_CONN_STATE_CLOSE,
	BERTHA_CONN_STATE_SYN_SENT,
	BERTHA_CONN_STATE_ESTABLISHED,
	BERTHA_CONN_STATE_LISTEN,
};

/**
 * enum bertha_addr_attrs - an IP endpoint, nested in a connection
 * @BERTHA_ADDR_A_UNSPEC: unused
 * @BERTHA_ADDR_A_FAMILY: u32, AF_INET or AF_INET6
 * @BERTHA_ADDR_A_IPV4: 4 bytes, network byte order (AF_INET)
 * @BERTHA_ADDR_A_IPV6: 16 bytes (AF_INET6)
 * @BERTHA_ADDR_A_PORT: u16, the UDP port, host byte order
 * @BERTHA_ADDR_A_SCOPE_ID: u32, the IPv6 scope (interface index), if any
 * @__BERTHA_ADDR_A_MAX: internal
 */
enum bertha_addr_attrs {
	BERTHA_ADDR_A_UNSPEC,
	BERTHA_ADDR_A_FAMILY,
	BERTHA_ADDR_A_IPV4,
	BERTHA_ADDR_A_IPV6,
	BERTHA_ADDR_A_PORT,
	BERTHA_ADDR_A_SCOPE_ID,
	__BERTHA_ADDR_A_MAX,
};

#define BERTHA_ADDR_A_MAX (__BERTHA_ADDR_A_MAX - 1)

/**
 * enum bertha_binding_node_attrs - one bound chunnel, nested in a
 *	connection; the members of &struct bertha_binding_node
 * @BERTHA_BINDING_NODE_A_UNSPEC: unused
 * @BERTHA_BINDING_NODE_A_TYPE: string, the chunnel type
 * @BERTHA_BINDING_NODE_A_IMPL: string, the implementation
 * @BERTHA_BINDING_NODE_A_WHERE: u32 &enum bertha_where
 * @BERTHA_BINDING_NODE_A_PRIORITY: u32
 * @BERTHA_BINDING_NODE_A_SCOPE: u32 &enum bertha_scope
 * @BERTHA_BINDING_NODE_A_CHOICE: u32, a ``select`` node's alternative
 * @BERTHA_BINDING_NODE_A_INFO: nested, the implementation's own view of
 *	the connection (its get_info op; attributes are the chunnel's own and
 *	documented with it); only in dumps, only where it runs
 * @__BERTHA_BINDING_NODE_A_MAX: internal
 */
enum bertha_binding_node_attrs {
	BERTHA_BINDING_NODE_A_UNSPEC,
	BERTHA_BINDING_NODE_A_TYPE,
	BERTHA_BINDING_NODE_A_IMPL,
	BERTHA_BINDING_NODE_A_WHERE,
	BERTHA_BINDING_NODE_A_PRIORITY,
	BERTHA_BINDING_NODE_A_SCOPE,
	BERTHA_BINDING_NODE_A_CHOICE,
	BERTHA_BINDING_NODE_A_INFO,
	__BERTHA_BINDING_NODE_A_MAX,
};

#define BERTHA_BINDING_NODE_A_MAX (__BERTHA_BINDING_NODE_A_MAX - 1)

/**
 * enum bertha_conn_attrs - a socket or connection (%BERTHA_CMD_CONN_GET and
 *	the connection events)
 * @BERTHA_CONN_A_UNSPEC: unused
 * @BERTHA_CONN_A_SOCK_TYPE: u32, SOCK_SEQPACKET or SOCK_DGRAM
 * @BERTHA_CONN_A_STATE: u32 &enum bertha_conn_state
 * @BERTHA_CONN_A_LOCAL: nested &enum bertha_addr_attrs, the address this
 *	end uses (for a child of a listener bound to a wildcard address, the
 *	address the client reached)
 * @BERTHA_CONN_A_PEER: nested &enum bertha_addr_attrs; absent without a peer
 * @BERTHA_CONN_A_NETNS_INODE: u32, inode of the socket's network namespace
 *	(as stat(2) of /proc/PID/ns/net shows it)
 * @BERTHA_CONN_A_NETNS_COOKIE: u64, the namespace's cookie (SO_NETNS_COOKIE)
 * @BERTHA_CONN_A_ID: u32, the connection's id on its port (0: none yet)
 * @BERTHA_CONN_A_PEER_ID: u32, the peer's id for it (0: not negotiated)
 * @BERTHA_CONN_A_PATH: u32 &enum bertha_path; only with a binding
 * @BERTHA_CONN_A_BINDING: nested &enum bertha_binding_node_attrs, one
 *	attribute per bound chunnel in DAG order, as getsockopt(%BERTHA_BINDING)
 *	reports them; only once negotiated
 * @BERTHA_CONN_A_PAD: padding for u64 alignment
 * @BERTHA_CONN_A_CHUNNEL_STATS: nested &enum bertha_chunnel_stats_attrs,
 *	repeated: the socket's counters of each chunnel type (on every
 *	message of the socket)
 * @__BERTHA_CONN_A_MAX: internal
 *
 * A dump has one message per bound SOCK_SEQPACKET socket (listeners,
 * connections, listener children not yet accepted) and, for a bound
 * SOCK_DGRAM socket, one for the socket (state CLOSE, no peer) and one per
 * peer it negotiates or negotiated with. Only the requester's namespace is
 * dumped.
 */
enum bertha_conn_attrs {
	BERTHA_CONN_A_UNSPEC,
	BERTHA_CONN_A_SOCK_TYPE,
	BERTHA_CONN_A_STATE,
	BERTHA_CONN_A_LOCAL,
	BERTHA_CONN_A_PEER,
	BERTHA_CONN_A_NETNS_INODE,
	BERTHA_CONN_A_NETNS_COOKIE,
	BERTHA_CONN_A_ID,
	BERTHA_CONN_A_PEER_ID,
	BERTHA_CONN_A_PATH,
	BERTHA_CONN_A_BINDING,
	BERTHA_CONN_A_PAD,
	BERTHA_CONN_A_CHUNNEL_STATS,
	__BERTHA_CONN_A_MAX,
};

#define BERTHA_CONN_A_MAX (__BERTHA_CONN_A_MAX - 1)

/**
 * enum bertha_setup_attrs - a setup or teardown request, and the answer
 * @BERTHA_SETUP_A_UNSPEC: unused
 * @BERTHA_SETUP_A_ID: u32, the request's id; a teardown repeats the id of
 *	the setup it undoes
 * @BERTHA_SETUP_A_OWNER: u32, the netlink port id of the socket that
 *	registered the implementation: the request is for that helper only
 *	(every member of the "events" group sees it)
 * @BERTHA_SETUP_A_TYPE: string, the chunnel type
 * @BERTHA_SETUP_A_IMPL: string, the implementation
 * @BERTHA_SETUP_A_IFINDEX: u32, the device it was registered on, or 0
 * @BERTHA_SETUP_A_CONFIG: binary, the registration's config blob
 * @BERTHA_SETUP_A_LOCAL: nested &enum bertha_addr_attrs, this end's address
 * @BERTHA_SETUP_A_PEER: nested &enum bertha_addr_attrs, the peer's address
 * @BERTHA_SETUP_A_DAG: binary, the connection's DAG blob (&enum
 *	bertha_dag_attrs), for a node's arguments; absent without a DAG
 * @BERTHA_SETUP_A_STATUS: u32, in %BERTHA_CMD_SETUP_DONE: 0 when set up,
 *	else a positive errno (the kernel falls back and counts it)
 * @__BERTHA_SETUP_A_MAX: internal
 */
enum bertha_setup_attrs {
	BERTHA_SETUP_A_UNSPEC,
	BERTHA_SETUP_A_ID,
	BERTHA_SETUP_A_OWNER,
	BERTHA_SETUP_A_TYPE,
	BERTHA_SETUP_A_IMPL,
	BERTHA_SETUP_A_IFINDEX,
	BERTHA_SETUP_A_CONFIG,
	BERTHA_SETUP_A_LOCAL,
	BERTHA_SETUP_A_PEER,
	BERTHA_SETUP_A_DAG,
	BERTHA_SETUP_A_STATUS,
	__BERTHA_SETUP_A_MAX,
};

#define BERTHA_SETUP_A_MAX (__BERTHA_SETUP_A_MAX - 1)

#endif /* _UAPI_LINUX_BERTHA_H */
