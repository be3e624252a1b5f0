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
 *	alternatives on any other type), E2BIG when a limit
 *	below is exceeded, EPROTONOSUPPORT for a chunnel type no one
 *	registered, ERANGE from get when the buffer is too small (the needed
 *	size is written to optlen), ENOENT from get before any DAG was set.
 * @BERTHA_STATS: read-only &struct bertha_stats of the socket
 */
enum bertha_sockopt {
	BERTHA_DAG = 1,
	BERTHA_STATS = 2,
};

/**
 * struct bertha_stats - per-socket counters, getsockopt(%BERTHA_STATS)
 * @rx_malformed: datagrams on the socket's UDP port too short for a bertha
 *	header, or with an unknown version or type; dropped
 * @rx_unexpected: well-formed datagrams that match no connection of the
 *	socket; dropped
 *
 * getsockopt copies as many leading bytes as the caller's buffer holds and
 * sets optlen to that; fields are only ever appended.
 */
struct bertha_stats {
	__u64	rx_malformed;
	__u64	rx_unexpected;
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

#endif /* _UAPI_LINUX_BERTHA_H */
