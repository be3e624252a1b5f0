// SPDX-License-Identifier: GPL-2.0
/*
 * What the core offers chunnels that work across the sockets of a
 * namespace (``shard`` steers messages between them): a socket's address
 * and DAG, its connections' nodes, and a send on another socket's
 * connection. Everything is reached through the chunnel's own type, so a
 * chunnel only ever sees its own nodes.
 */
#include <linux/skbuff.h>
#include <linux/udp.h>

#include "bertha.h"
#include "binding.h"
#include "conn.h"
#include "dag.h"
#include "transport.h"

/**
 * bertha_sock_node_args() - the arguments of a socket's first DAG node of
 *	a type
 * @sk: an AF_BERTHA socket, locked
 * @type: the chunnel type
 * @found: set to whether its DAG has such a node
 *
 * Return: the node's %BERTHA_NODE_A_ARGS, valid while the socket's DAG
 * stays (until its next setsockopt(BERTHA_DAG), which calls the type's
 * sock_dag hook), or NULL.
 */
const struct nlattr *bertha_sock_node_args(const struct sock *sk,
					   const char *type, bool *found)
{
	return bertha_dag_find_type(bertha_sk(sk)->dag, type, found);
}
EXPORT_SYMBOL_GPL(bertha_sock_node_args);

static struct bertha_chunnel_conn *
bertha_conn_node(struct bertha_conn *conn,
		 const struct bertha_chunnel_type *type)
{
	/* pairs with the release that publishes the binding */
	struct bertha_binding_set *b = smp_load_acquire(&conn->binding);
	unsigned int i;

	if (!b)
		return NULL;
	for (i = 0; i < b->count; i++)
		if (b->node[i].ops && b->node[i].type == type)
			return &b->node[i].cc;
	return NULL;
}

/**
 * bertha_sock_conn_node() - a negotiated connection's node of a type
 * @sk: an AF_BERTHA socket (a SOCK_DGRAM socket's peers, or a SEQPACKET
 *	socket's connection)
 * @conn_id: the connection's id on @sk's port
 * @type: the caller's own type
 *
 * Context: under rcu_read_lock(); the node is valid until it is dropped.
 * Return: the node of @type in the connection's binding, where it runs,
 * or NULL.
 */
struct bertha_chunnel_conn *
bertha_sock_conn_node(struct sock *sk, u32 conn_id,
		      const struct bertha_chunnel_type *type)
{
	struct bertha_sock *bs = bertha_sk(sk);
	struct bertha_port *port = READ_ONCE(bs->port);
	struct bertha_conn *conn;

	if (!port)
		return NULL;
	conn = bertha_port_conn_find(port, conn_id);
	if (!conn || conn->bs != bs)
		return NULL;
	return bertha_conn_node(conn, type);
}
EXPORT_SYMBOL_GPL(bertha_sock_conn_node);

/* The newest negotiated connection of @bs with @peer (a peer that restarted
 * on the same address negotiated again), or NULL.
 */
static struct bertha_conn *bertha_sock_peer(struct bertha_sock *bs,
					    const struct sockaddr_bertha *peer)
{
	struct bertha_port *port = READ_ONCE(bs->port);
	struct bertha_conn *conn, *found = NULL;
	unsigned long id;

	if (!port)
		return NULL;
	xa_for_each(&port->conns, id, conn)
		if (conn->bs == bs && READ_ONCE(conn->binding) &&
		    bertha_addr_equal(&conn->peer, peer))
			found = conn;
	return found;
}

/**
 * bertha_sock_peer_send() - sendto() on one socket through another's
 *	connection
 * @sk: the socket that negotiated with the peer (a shard group's canonical
 *	socket), held by the caller
 * @from: the socket sending, locked; its send buffer is charged and its
 *	port sends, unless a chunnel of the connection sends it later
 * @msg: the message; msg_name is the peer
 * @len: its length, at most %BERTHA_MSG_MAX
 *
 * The message runs through every xmit op of the connection, as the
 * connection's own would, and carries its connection id. Those ops run
 * with @from locked, not @sk: a chunnel whose state the canonical
 * socket's own sendmsg also changes guards it with a lock of its own (as
 * ``reliable`` does).
 *
 * Context: process context; may sleep for send buffer space.
 * Return: @len; -ENOENT when @sk has no negotiated connection with that
 * peer; the errors of sending.
 */
int bertha_sock_peer_send(struct sock *sk, struct sock *from,
			  struct msghdr *msg, size_t len)
{
	const struct sockaddr_bertha *addr = msg->msg_name;
	struct bertha_sock *bs = bertha_sk(sk);
	struct bertha_conn *conn;
	struct sk_buff *skb;
	int err;

	rcu_read_lock();
	conn = bertha_sock_peer(bs, addr);
	rcu_read_unlock();
	if (!conn)
		return -ENOENT;

	skb = bertha_msg_skb(from, msg, len, &err);
	if (!skb)
		return err;
	/* The peer may have gone while we waited for buffer space; its
	 * binding goes only after an RCU grace period, so it is safe to use
	 * in here, and the ops do not sleep.
	 */
	rcu_read_lock();
	conn = bertha_sock_peer(bs, addr);
	if (!conn) {
		rcu_read_unlock();
		kfree_skb(skb);
		return -ENOENT;
	}
	err = READ_ONCE(conn->failed);
	if (err)
		kfree_skb(skb);
	else
		err = bertha_binding_xmit(conn, skb, from);
	rcu_read_unlock();
	if (err)
		return err;
	atomic64_inc(&bertha_sk(from)->cnt.tx_messages);
	return len;
}
EXPORT_SYMBOL_GPL(bertha_sock_peer_send);
