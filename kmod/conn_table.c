// SPDX-License-Identifier: GPL-2.0
/*
 * The connection table of a network namespace: its AF_BERTHA sockets, for
 * BERTHA_CMD_CONN_GET (a dump like ss(8)) and for the connection events of
 * the "events" multicast group.
 *
 * Each namespace keeps its sockets in an xarray (&bertha_net.socks) keyed
 * by an id that grows as sockets are created. A socket reserves its id when
 * it is allocated and is published once it is complete (a listener's child
 * only when its connection is built), so a dump never sees half a socket;
 * it is withdrawn when it is released. A dump finds the next socket under
 * RCU (socket memory is RCU-freed), takes a reference, drops RCU and only
 * then locks the socket: it holds no lock while it waits for a socket, so
 * it orders against nothing. It resumes at the socket it stopped in
 * (cb->args[0]) and at the entry within it (cb->args[1]: a SOCK_DGRAM
 * socket has one per peer).
 */
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/tcp_states.h>

#include "bertha.h"
#include "binding.h"
#include "conn.h"
#include "conn_table.h"
#include "genl.h"
#include "netns.h"

/**
 * bertha_conn_table_reserve() - give a new socket its id in its namespace
 * @bs: the socket, not yet visible to anyone
 *
 * Return: 0 or -ENOMEM (or -EBUSY with 2^32 sockets).
 */
int bertha_conn_table_reserve(struct bertha_sock *bs)
{
	struct bertha_net *bn = bertha_net(sock_net(&bs->sk));
	u32 id;
	int err;

	err = xa_alloc_cyclic(&bn->socks, &id, NULL, xa_limit_32b,
			      &bn->socks_next, GFP_KERNEL);
	if (err < 0)
		return err;
	bs->table_id = id;
	return 0;
}

/**
 * bertha_conn_table_publish() - show a complete socket in dumps
 * @bs: the socket, with its id reserved
 */
void bertha_conn_table_publish(struct bertha_sock *bs)
{
	struct bertha_net *bn = bertha_net(sock_net(&bs->sk));

	/* The slot exists: storing into it allocates nothing. */
	WARN_ON_ONCE(xa_err(xa_store(&bn->socks, bs->table_id, bs,
				     GFP_KERNEL)));
}

/**
 * bertha_conn_table_del() - withdraw a socket from dumps
 * @bs: the socket, being released; nothing else withdraws it
 *
 * Context: process context; takes no socket lock.
 */
void bertha_conn_table_del(struct bertha_sock *bs)
{
	if (!bs->table_id)
		return;
	xa_erase(&bertha_net(sock_net(&bs->sk))->socks, bs->table_id);
	bs->table_id = 0;
}

static u32 bertha_conn_state(const struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
		return BERTHA_CONN_STATE_ESTABLISHED;
	case TCP_SYN_SENT:
		return BERTHA_CONN_STATE_SYN_SENT;
	case TCP_LISTEN:
		return BERTHA_CONN_STATE_LISTEN;
	default:
		return BERTHA_CONN_STATE_CLOSE;
	}
}

/**
 * bertha_addr_put() - put an address as nested &enum bertha_addr_attrs
 * @skb: the message
 * @attr: the nest's attribute type
 * @a: the address
 *
 * Return: 0 or -EMSGSIZE.
 */
int bertha_addr_put(struct sk_buff *skb, int attr,
		    const struct sockaddr_bertha *a)
{
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, BERTHA_ADDR_A_FAMILY, a->sbe_ip_family) ||
	    nla_put_u16(skb, BERTHA_ADDR_A_PORT, ntohs(a->sbe_port)))
		goto err;
	if (a->sbe_ip_family == AF_INET6) {
		if (nla_put(skb, BERTHA_ADDR_A_IPV6, sizeof(a->sbe_addr.v6),
			    a->sbe_addr.v6) ||
		    (a->sbe_scope_id &&
		     nla_put_u32(skb, BERTHA_ADDR_A_SCOPE_ID, a->sbe_scope_id)))
			goto err;
	} else if (nla_put_in_addr(skb, BERTHA_ADDR_A_IPV4, a->sbe_addr.v4)) {
		goto err;
	}
	nla_nest_end(skb, nest);
	return 0;
err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int bertha_binding_put(struct sk_buff *skb,
			      struct bertha_binding_set *b)
{
	unsigned int i;
	int err;

	for (i = 0; i < b->count; i++) {
		const struct bertha_binding_node *n = &b->node[i].info;
		struct nlattr *nest;

		nest = nla_nest_start(skb, BERTHA_CONN_A_BINDING);
		if (!nest ||
		    nla_put_string(skb, BERTHA_BINDING_NODE_A_TYPE, n->type) ||
		    nla_put_string(skb, BERTHA_BINDING_NODE_A_IMPL, n->impl) ||
		    nla_put_u32(skb, BERTHA_BINDING_NODE_A_WHERE, n->where) ||
		    nla_put_u32(skb, BERTHA_BINDING_NODE_A_PRIORITY,
				n->priority) ||
		    nla_put_u32(skb, BERTHA_BINDING_NODE_A_SCOPE, n->scope) ||
		    nla_put_u32(skb, BERTHA_BINDING_NODE_A_CHOICE, n->choice))
			return -EMSGSIZE;
		/* the implementation's own view, where it runs */
		rcu_read_lock();
		err = bertha_binding_info_put(b, i, skb);
		rcu_read_unlock();
		if (err)
			return err;
		nla_nest_end(skb, nest);
	}
	return 0;
}

/* The attributes of one entry: the socket @bs, or its connection @conn
 * (NULL: a socket without one). @conn's binding, if any, stays while the
 * caller runs (the socket is locked, or the caller is the one freeing it).
 */
static int bertha_conn_fill(struct sk_buff *skb, struct bertha_sock *bs,
			    const struct bertha_conn *conn, u32 state)
{
	struct net *net = sock_net(&bs->sk);
	const struct sockaddr_bertha *local = NULL;

	if (conn && conn->local.sbe_ip_family)
		local = &conn->local;
	else if (bs->port)
		local = &bs->port->local;
	if (nla_put_u32(skb, BERTHA_CONN_A_SOCK_TYPE, bs->sk.sk_type) ||
	    nla_put_u32(skb, BERTHA_CONN_A_STATE, state) ||
	    nla_put_u32(skb, BERTHA_CONN_A_NETNS_INODE, net->ns.inum) ||
	    nla_put_u64_64bit(skb, BERTHA_CONN_A_NETNS_COOKIE, net->net_cookie,
			      BERTHA_CONN_A_PAD) ||
	    (local && bertha_addr_put(skb, BERTHA_CONN_A_LOCAL, local)) ||
	    bertha_genl_chunnel_counters_put(skb, BERTHA_CONN_A_CHUNNEL_STATS,
					     bs->chunnel_cnt))
		return -EMSGSIZE;
	if (!conn)
		return 0;
	if (bertha_addr_put(skb, BERTHA_CONN_A_PEER, &conn->peer) ||
	    nla_put_u32(skb, BERTHA_CONN_A_ID, conn->id) ||
	    nla_put_u32(skb, BERTHA_CONN_A_PEER_ID, conn->peer_id))
		return -EMSGSIZE;
	if (!conn->binding)
		return 0;
	if (nla_put_u32(skb, BERTHA_CONN_A_PATH, bertha_conn_path(conn)) ||
	    bertha_binding_put(skb, conn->binding))
		return -EMSGSIZE;
	return 0;
}

static int bertha_conn_dump_one(struct sk_buff *skb,
				struct netlink_callback *cb,
				struct bertha_sock *bs,
				const struct bertha_conn *conn, u32 state)
{
	void *hdr;

	hdr = bertha_genl_msg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, NLM_F_MULTI,
				  BERTHA_CMD_CONN_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (bertha_conn_fill(skb, bs, conn, state)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static u32 bertha_peer_state(const struct bertha_conn *conn)
{
	if (conn->binding)
		return BERTHA_CONN_STATE_ESTABLISHED;
	return conn->err ? BERTHA_CONN_STATE_CLOSE : BERTHA_CONN_STATE_SYN_SENT;
}

/* The entries of @bs, locked, from the cb->args[1]-th on. */
static int bertha_conn_dump_sock(struct sk_buff *skb,
				 struct netlink_callback *cb,
				 struct bertha_sock *bs)
{
	const struct bertha_conn *conn;
	unsigned long i = 0;

	/* unbound, or released since the dump found it */
	if (!bs->port && !bs->conn)
		return 0;
	if (bs->sk.sk_type != SOCK_DGRAM)
		return bertha_conn_dump_one(skb, cb, bs, bs->conn,
					    bertha_conn_state(&bs->sk));
	if (!cb->args[1]) {
		if (bertha_conn_dump_one(skb, cb, bs, NULL,
					 BERTHA_CONN_STATE_CLOSE))
			return -EMSGSIZE;
		cb->args[1] = 1;
	}
	list_for_each_entry(conn, &bs->peers, node) {
		if (++i < cb->args[1])
			continue;
		if (bertha_conn_dump_one(skb, cb, bs, conn,
					 bertha_peer_state(conn)))
			return -EMSGSIZE;
		cb->args[1] = i + 1;
	}
	return 0;
}

/**
 * bertha_genl_conn_dump() - %BERTHA_CMD_CONN_GET: the sockets and
 *	connections of the requester's namespace
 * @skb: the reply being filled
 * @cb: the dump's state; args[0] the table id to resume at, args[1] the
 *	entry within that socket
 *
 * Return: the reply's length; 0 when the dump is complete.
 */
int bertha_genl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct bertha_net *bn = bertha_net(sock_net(skb->sk));
	unsigned long index = cb->args[0];
	struct bertha_sock *bs;
	int err;

	for (;;) {
		rcu_read_lock();
		bs = xa_find(&bn->socks, &index, ULONG_MAX, XA_PRESENT);
		if (bs && !refcount_inc_not_zero(&bs->sk.sk_refcnt)) {
			/* being freed: it has nothing left to show */
			rcu_read_unlock();
			index++;
			continue;
		}
		rcu_read_unlock();
		if (!bs)
			break;
		if (index != cb->args[0]) {
			cb->args[0] = index;
			cb->args[1] = 0;
		}
		lock_sock(&bs->sk);
		err = bertha_conn_dump_sock(skb, cb, bs);
		release_sock(&bs->sk);
		sock_put(&bs->sk);
		if (err)
			break;	/* full: the next call resumes in @bs */
		cb->args[0] = ++index;
		cb->args[1] = 0;
	}
	return skb->len;
}

/**
 * bertha_conn_event() - tell the namespace's "events" group about a
 *	connection
 * @bs: its socket
 * @conn: the connection, with its binding
 * @cmd: %BERTHA_CMD_CONN_ESTABLISHED_NTF or %BERTHA_CMD_CONN_CLOSED_NTF
 *
 * Nothing is built when no one listens.
 *
 * Context: process context; @conn's binding stays while this runs.
 */
void bertha_conn_event(struct bertha_sock *bs, const struct bertha_conn *conn,
		       u8 cmd)
{
	struct net *net = sock_net(&bs->sk);
	struct sk_buff *skb;
	void *hdr;

	if (!bertha_genl_has_events(net))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = bertha_genl_msg_put(skb, 0, 0, 0, cmd);
	if (!hdr ||
	    bertha_conn_fill(skb, bs, conn,
			     cmd == BERTHA_CMD_CONN_ESTABLISHED_NTF ?
			     BERTHA_CONN_STATE_ESTABLISHED :
			     BERTHA_CONN_STATE_CLOSE)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	bertha_genl_event(net, skb);
}
