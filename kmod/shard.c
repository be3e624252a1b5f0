// SPDX-License-Identifier: GPL-2.0
/*
 * The shard chunnel for SOCK_DGRAM sockets (paper §5): one canonical
 * address, N shard sockets that receive the requests of many clients
 * without accepting them one by one and answer each client directly.
 *
 * A DAG node ``shard(ports=P1,...,Pn, key=OFF:LEN, fn=fnv1a)`` names the
 * shard ports; the canonical socket S0 that sets it and binds at A:P0
 * leads a group: a per-namespace table maps each Pi to it. Shard sockets
 * Si are plain SOCK_DGRAM sockets bound at A:Pi. A DATA that reaches Pi
 * with a connection id Pi does not know is looked up among S0's peers and
 * queued on Si with the client as its source; a sendto() on Si to a peer
 * of the group sends DATA with that peer's id from Pi without negotiating.
 * The client takes DATA of its connection from any of the shard ports.
 *
 * Two implementations steer the messages (the key's FNV-1a hash modulo n
 * picks the shard, see <bertha/shard.h>, shared with the XDP program):
 * ``shard/server`` runs at the listener, whose kernel moves each message
 * S0 receives to Si's receive queue; ``shard/client-push`` runs at the
 * client, whose kernel sends each message to A:Pi instead of A:P0.
 */
#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/udp.h>
#include <net/netlink.h>

#include "bertha.h"
#include "wire.h"

#define BERTHA_SHARD_TYPE	"shard"
#define BERTHA_SHARD_SERVER	"server"
#define BERTHA_SHARD_PUSH	"client-push"

/* Without key=, the prototype's choice: the first four bytes. */
#define BERTHA_SHARD_KEY_DEFAULT	4

/**
 * struct bertha_shard_group - a canonical socket and its shard ports
 * @canon: the canonical socket; the group goes before it does
 * @cfg: its shard arguments
 * @held: the entries of &bertha_net.shard_groups this group owns, by
 *	index in @cfg.port
 * @rcu: frees it after softirq lookups are done
 */
struct bertha_shard_group {
	struct bertha_sock *canon;
	struct bertha_shard_cfg cfg;
	u32 held;
	struct rcu_head rcu;
};

static const struct nla_policy bertha_shard_node_policy[BERTHA_NODE_A_MAX + 1] = {
	[BERTHA_NODE_A_TYPE]	= { .type = NLA_NUL_STRING,
				    .len = BERTHA_NAME_MAX - 1 },
	[BERTHA_NODE_A_ARGS]	= { .type = NLA_NESTED },
	[BERTHA_NODE_A_NEXT]	= { .type = NLA_NESTED },
	[BERTHA_NODE_A_ALTERNATIVES] = { .type = NLA_NESTED },
};

static const struct nla_policy bertha_shard_arg_policy[BERTHA_ARG_A_MAX + 1] = {
	[BERTHA_ARG_A_KEY]	= { .type = NLA_NUL_STRING,
				    .len = BERTHA_NAME_MAX - 1 },
	[BERTHA_ARG_A_VALUE]	= { .type = NLA_NUL_STRING, .len = 255 },
};

/* The key of a port in the namespace's tables: number and IP family. */
static unsigned long bertha_shard_key(u16 ip_family, __be16 port)
{
	return ntohs(port) | (ip_family == AF_INET6 ? 0x10000UL : 0);
}

static int bertha_shard_parse_ports(const char *value,
				    struct bertha_shard_cfg *cfg)
{
	char buf[256], *p = buf, *tok;
	unsigned int i;
	u16 port;

	if (strscpy(buf, value, sizeof(buf)) < 0)
		return -EINVAL;
	while ((tok = strsep(&p, ","))) {
		if (cfg->nports == BERTHA_SHARD_MAX ||
		    kstrtou16(strim(tok), 10, &port) || !port)
			return -EINVAL;
		for (i = 0; i < cfg->nports; i++)
			if (cfg->port[i] == htons(port))
				return -EINVAL;
		cfg->port[cfg->nports++] = htons(port);
	}
	return cfg->nports ? 0 : -EINVAL;
}

static int bertha_shard_parse_key(const char *value,
				  struct bertha_shard_cfg *cfg)
{
	char buf[32], *len;
	u32 off, n;

	if (strscpy(buf, value, sizeof(buf)) < 0)
		return -EINVAL;
	len = strchr(buf, ':');
	if (!len)
		return -EINVAL;
	*len++ = '\0';
	if (kstrtou32(buf, 10, &off) || kstrtou32(len, 10, &n) || !n ||
	    n > BERTHA_SHARD_KEY_MAX || off > BERTHA_MSG_MAX - n)
		return -EINVAL;
	cfg->key_off = off;
	cfg->key_len = n;
	return 0;
}

/* Parse a shard node's arguments; @args may be NULL (and is then bad). */
static int bertha_shard_args_parse(const struct nlattr *args,
				   struct bertha_shard_cfg *cfg)
{
	struct nlattr *tb[BERTHA_ARG_A_MAX + 1];
	bool ports = false, key = false, fn = false;
	const struct nlattr *arg;
	const char *name, *value;
	int rem, err;

	memset(cfg, 0, sizeof(*cfg));
	cfg->key_len = BERTHA_SHARD_KEY_DEFAULT;
	if (!args)
		return -EINVAL;
	nla_for_each_nested(arg, args, rem) {
		if (nla_type(arg) != BERTHA_ARG_A_ARG)
			return -EINVAL;
		if (nla_parse_nested(tb, BERTHA_ARG_A_MAX, arg,
				     bertha_shard_arg_policy, NULL) ||
		    !tb[BERTHA_ARG_A_KEY] || !tb[BERTHA_ARG_A_VALUE])
			return -EINVAL;
		name = nla_data(tb[BERTHA_ARG_A_KEY]);
		value = nla_data(tb[BERTHA_ARG_A_VALUE]);
		if (!strcmp(name, "ports") && !ports) {
			ports = true;
			err = bertha_shard_parse_ports(value, cfg);
		} else if (!strcmp(name, "key") && !key) {
			key = true;
			err = bertha_shard_parse_key(value, cfg);
		} else if (!strcmp(name, "fn") && !fn) {
			fn = true;
			err = strcmp(value, "fnv1a") ? -EINVAL : 0;
		} else {
			err = -EINVAL;	/* unknown or repeated */
		}
		if (err)
			return err;
	}
	return ports ? 0 : -EINVAL;
}

/**
 * bertha_shard_args_check() - validate the arguments of a ``shard`` node
 * @args: the node's %BERTHA_NODE_A_ARGS, or NULL
 *
 * Return: 0, or -EINVAL unless they are ``ports=P1,...,Pn`` (1 to
 * %BERTHA_SHARD_MAX distinct ports 1..65535), optionally ``key=OFF:LEN``
 * (LEN 1..%BERTHA_SHARD_KEY_MAX, OFF + LEN at most %BERTHA_MSG_MAX) and
 * ``fn=fnv1a``.
 */
int bertha_shard_args_check(const struct nlattr *args)
{
	struct bertha_shard_cfg cfg;

	return bertha_shard_args_parse(args, &cfg);
}

/* The first shard node of a list of nodes, depth first, or NULL. */
static const struct nlattr *bertha_shard_find(const struct nlattr *head,
					      int len, unsigned int depth,
					      struct nlattr **tb)
{
	const struct nlattr *node, *found;
	struct nlattr *sub;
	int rem;

	if (depth > BERTHA_DAG_MAX_DEPTH + 1)
		return NULL;
	nla_for_each_attr(node, head, len, rem) {
		if (nla_type(node) != BERTHA_DAG_A_NODE ||
		    nla_parse_nested_deprecated(tb, BERTHA_NODE_A_MAX, node,
						bertha_shard_node_policy,
						NULL) ||
		    !tb[BERTHA_NODE_A_TYPE])
			return NULL;
		if (!strcmp(nla_data(tb[BERTHA_NODE_A_TYPE]),
			    BERTHA_SHARD_TYPE))
			return node;
		sub = tb[BERTHA_NODE_A_NEXT];
		if (tb[BERTHA_NODE_A_ALTERNATIVES]) {
			found = bertha_shard_find(nla_data(tb[BERTHA_NODE_A_ALTERNATIVES]),
						  nla_len(tb[BERTHA_NODE_A_ALTERNATIVES]),
						  depth + 1, tb);
			if (found)
				return found;
			/* tb was reused: parse this node again */
			if (nla_parse_nested_deprecated(tb, BERTHA_NODE_A_MAX,
							node,
							bertha_shard_node_policy,
							NULL))
				return NULL;
			sub = tb[BERTHA_NODE_A_NEXT];
		}
		if (sub) {
			found = bertha_shard_find(nla_data(sub), nla_len(sub),
						  depth + 1, tb);
			if (found)
				return found;
		}
	}
	return NULL;
}

/**
 * bertha_shard_dag_cfg() - the shard arguments of a DAG
 * @dag: a DAG blob, validated or from a peer
 * @cfg: filled; @cfg->nports is 0 when the DAG has no shard node
 *
 * The first shard node counts (depth first, alternatives in order).
 *
 * Return: 1 with @cfg filled, 0 without a shard node, -EINVAL for bad
 * arguments.
 */
int bertha_shard_dag_cfg(const struct bertha_dag *dag,
			 struct bertha_shard_cfg *cfg)
{
	struct nlattr *tb[BERTHA_NODE_A_MAX + 1];
	const struct nlattr *node;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	if (!dag)
		return 0;
	node = bertha_shard_find((const struct nlattr *)dag->blob, dag->len, 1,
				 tb);
	if (!node)
		return 0;
	if (nla_parse_nested_deprecated(tb, BERTHA_NODE_A_MAX, node,
					bertha_shard_node_policy, NULL))
		return -EINVAL;
	err = bertha_shard_args_parse(tb[BERTHA_NODE_A_ARGS], cfg);
	if (err) {
		memset(cfg, 0, sizeof(*cfg));
		return err;
	}
	return 1;
}

/**
 * bertha_shard_side_ok() - may this implementation run at that end?
 * @type: chunnel type
 * @name: implementation name
 * @client: at the client (the end that sent the HELLO)
 *
 * ``shard/server`` only makes sense at the listener and
 * ``shard/client-push`` only at the client; negotiation skips the other
 * placements.
 *
 * Return: false for those two misplacements, else true.
 */
bool bertha_shard_side_ok(const char *type, const char *name, bool client)
{
	if (strcmp(type, BERTHA_SHARD_TYPE))
		return true;
	if (!strcmp(name, BERTHA_SHARD_SERVER))
		return !client;
	if (!strcmp(name, BERTHA_SHARD_PUSH))
		return client;
	return true;
}

static void bertha_shard_count(struct bertha_sock *bs, atomic64_t *ctr,
			       unsigned int stat)
{
	atomic64_inc(ctr);
	bertha_net_count(sock_net(&bs->sk), stat, 1);
}

static void bertha_shard_group_drop(struct bertha_sock *bs)
{
	struct bertha_shard_group *g = bs->shard_group;
	struct bertha_net *bn = bertha_net(sock_net(&bs->sk));
	u16 fam = bs->port->local.sbe_ip_family;
	unsigned int i;

	if (!g)
		return;
	for (i = 0; i < g->cfg.nports; i++)
		if (g->held & BIT(i))
			xa_cmpxchg(&bn->shard_groups,
				   bertha_shard_key(fam, g->cfg.port[i]), g,
				   NULL, GFP_KERNEL);
	bs->shard_group = NULL;
	kfree_rcu(g, rcu);
}

/* Lead a group if the socket's DAG shards; a port another group has
 * stays with that group.
 */
static void bertha_shard_group_make(struct bertha_sock *bs)
{
	struct bertha_net *bn = bertha_net(sock_net(&bs->sk));
	u16 fam = bs->port->local.sbe_ip_family;
	struct bertha_shard_group *g;
	unsigned int i;

	if (!bs->shard.nports)
		return;
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return;
	g->canon = bs;
	g->cfg = bs->shard;
	for (i = 0; i < g->cfg.nports; i++)
		if (!xa_insert(&bn->shard_groups,
			       bertha_shard_key(fam, g->cfg.port[i]), g,
			       GFP_KERNEL))
			g->held |= BIT(i);
	bs->shard_group = g;
}

/**
 * bertha_shard_dag_set() - the socket's DAG changed: parse its shard node
 * @bs: the socket, locked; its DAG validated
 *
 * A bound SOCK_DGRAM socket leads the group the new DAG describes.
 */
void bertha_shard_dag_set(struct bertha_sock *bs)
{
	struct bertha_shard_cfg cfg;

	if (bertha_shard_dag_cfg(bs->dag, &cfg) < 0)
		memset(&cfg, 0, sizeof(cfg));
	bs->shard = cfg;
	if (bs->sk.sk_type != SOCK_DGRAM || !bs->port)
		return;
	bertha_shard_group_drop(bs);
	bertha_shard_group_make(bs);
}

/**
 * bertha_shard_bind() - a SOCK_DGRAM socket was bound
 * @bs: the socket, locked
 *
 * It may be a shard socket: record it by port (the first socket on a port
 * number counts). With a shard DAG it leads a group.
 */
void bertha_shard_bind(struct bertha_sock *bs)
{
	struct bertha_net *bn = bertha_net(sock_net(&bs->sk));
	unsigned long key = bertha_shard_key(bs->port->local.sbe_ip_family,
					     bs->port->local.sbe_port);

	if (!bs->shard_key && !xa_insert(&bn->shard_socks, key, bs, GFP_KERNEL))
		bs->shard_key = key;
	if (!bs->shard_group)
		bertha_shard_group_make(bs);
}

/**
 * bertha_shard_release() - a SOCK_DGRAM socket is closing
 * @bs: the socket, locked
 */
void bertha_shard_release(struct bertha_sock *bs)
{
	struct bertha_net *bn = bertha_net(sock_net(&bs->sk));

	if (!bs->port)
		return;
	bertha_shard_group_drop(bs);
	if (bs->shard_key)
		xa_cmpxchg(&bn->shard_socks, bs->shard_key, bs, NULL,
			   GFP_KERNEL);
	bs->shard_key = 0;
}

/**
 * bertha_shard_attach() - a SOCK_DGRAM peer was negotiated
 * @conn: the peer; not yet visible to softirq (listener) or not yet sent
 *	to (client)
 * @b: its binding
 * @dag: the DAG in effect, or NULL
 * @initiator: this end sent the HELLO
 */
void bertha_shard_attach(struct bertha_conn *conn,
			 const struct bertha_binding_set *b,
			 const struct bertha_dag *dag, bool initiator)
{
	const struct bertha_binding_node *n = NULL;
	struct bertha_shard_cfg cfg;
	unsigned int i;
	u8 role;

	for (i = 0; i < b->count; i++)
		if (!strcmp(b->node[i].info.type, BERTHA_SHARD_TYPE)) {
			n = &b->node[i].info;
			break;
		}
	if (!n || bertha_shard_dag_cfg(dag, &cfg) <= 0)
		return;
	if (initiator)
		role = n->where == BERTHA_WHERE_LOCAL &&
		       !strcmp(n->impl, BERTHA_SHARD_PUSH) ?
		       BERTHA_SHARD_ROLE_PUSH : BERTHA_SHARD_ROLE_CLIENT;
	else	/* what reaches S0 under any listener-side implementation
		 * (an XDP program passes keyless messages up) is forwarded
		 */
		role = n->where == BERTHA_WHERE_LOCAL ?
		       BERTHA_SHARD_ROLE_FORWARD : BERTHA_SHARD_ROLE_NONE;
	conn->shard = cfg;
	/* pairs with the acquire in bertha_shard_from() */
	smp_store_release(&conn->shard_role, role);
}

/* The shard a message (at @skb->data + @off) goes to. */
static u32 bertha_shard_of(const struct bertha_shard_cfg *cfg,
			   const struct sk_buff *skb, unsigned int off)
{
	u8 buf[BERTHA_SHARD_KEY_MAX];
	const u8 *key;

	if (skb->len < off + cfg->key_off + cfg->key_len)
		return 0;
	key = skb_header_pointer(skb, off + cfg->key_off, cfg->key_len, buf);
	if (!key)
		return 0;
	return bertha_shard_index(bertha_shard_hash(key, cfg->key_len),
				  cfg->nports);
}

/**
 * bertha_shard_from() - may a client's connection take this datagram?
 * @conn: a client's connection whose source check failed
 * @skb: a DATA datagram (data at the UDP header)
 *
 * Context: softirq.
 * Return: true when it comes from the peer's address and one of the
 * binding's shard ports.
 */
bool bertha_shard_from(const struct bertha_conn *conn,
		       const struct sk_buff *skb)
{
	struct sockaddr_bertha peer;
	__be16 sport;
	unsigned int i;
	u8 role;

	/* pairs with the release in bertha_shard_attach() */
	role = smp_load_acquire(&conn->shard_role);
	if (role != BERTHA_SHARD_ROLE_PUSH && role != BERTHA_SHARD_ROLE_CLIENT)
		return false;
	sport = udp_hdr(skb)->source;
	for (i = 0; i < conn->shard.nports; i++)
		if (conn->shard.port[i] == sport)
			break;
	if (i == conn->shard.nports)
		return false;
	peer = conn->peer;
	peer.sbe_port = sport;
	return bertha_skb_from(skb, &peer);
}

/* Queue a message of @conn's (a group peer's) on shard socket @si.
 * Returns false, having dropped and counted it on @si, when @si cannot
 * take it.
 */
static bool bertha_shard_queue(struct bertha_sock *si,
			       struct bertha_conn *conn, struct sk_buff *skb)
{
	struct bertha_binding_set *b = READ_ONCE(conn->binding);
	struct sock *sk = &si->sk;

	if ((READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) ||
	    bertha_binding_recv(b, skb) || sock_queue_rcv_skb(sk, skb)) {
		atomic64_inc(&si->cnt.rx_dropped);
		kfree_skb(skb);
		return false;
	}
	atomic64_inc(&si->cnt.rx_messages);
	return true;
}

/**
 * bertha_shard_rcv() - DATA on a port that does not know its connection
 * @port: the port it arrived on, maybe a shard socket's
 * @skb: the datagram (data at the UDP header)
 * @conn_id: the header's connection id
 * @type: the header's type
 * @flags: the header's flags
 *
 * When @port is a shard port of a group and @conn_id a peer of the
 * group's canonical socket, from that peer's address (what client push
 * and the XDP program send), the message goes to the shard socket.
 *
 * Context: softirq, under rcu_read_lock().
 * Return: true if @skb was consumed (queued, or dropped and counted);
 * false, untouched, if @port is no shard port.
 */
bool bertha_shard_rcv(struct bertha_port *port, struct sk_buff *skb,
		      u32 conn_id, u8 type, u16 flags)
{
	struct bertha_net *bn = bertha_net(dev_net(skb->dev));
	struct bertha_shard_group *g;
	struct bertha_sock *canon, *si;
	struct bertha_conn *conn;
	struct bertha_port *cport;

	if (type != BERTHA_WIRE_DATA)
		return false;
	g = xa_load(&bn->shard_groups,
		    bertha_shard_key(port->local.sbe_ip_family,
				     port->local.sbe_port));
	if (!g)
		return false;
	canon = g->canon;
	si = READ_ONCE(port->listener);
	cport = READ_ONCE(canon->port);
	conn = cport ? xa_load(&cport->conns, conn_id) : NULL;
	if (conn && conn->bs == canon && READ_ONCE(conn->binding) &&
	    READ_ONCE(conn->rel) && (flags & BERTHA_DATA_F_SEQ) &&
	    bertha_skb_from(skb, &conn->peer) &&
	    refcount_inc_not_zero(&canon->sk.sk_refcnt)) {
		/* The connection's reliable receiver orders it with what
		 * reached the other ports and acknowledges it from P0.
		 */
		__skb_pull(skb, sizeof(struct udphdr) +
			   sizeof(struct bertha_wire_hdr));
		bertha_rel_rcv(conn, skb, flags);
		sock_put(&canon->sk);
		return true;
	}
	if (!conn || conn->bs != canon || !READ_ONCE(conn->binding) ||
	    READ_ONCE(conn->rel) || (flags & BERTHA_DATA_F_SEQ) ||
	    !bertha_skb_from(skb, &conn->peer) ||
	    !si || si->sk.sk_type != SOCK_DGRAM ||
	    !refcount_inc_not_zero(&si->sk.sk_refcnt)) {
		atomic64_inc(&canon->cnt.shard_dropped);
		bertha_net_count(sock_net(&canon->sk),
				 BERTHA_STATS_A_SHARD_DROPPED, 1);
		kfree_skb(skb);
		return true;
	}
	__skb_pull(skb, sizeof(struct udphdr) + sizeof(struct bertha_wire_hdr));
	if (!bertha_shard_queue(si, conn, skb))
		bertha_shard_count(si, &si->cnt.shard_dropped,
				   BERTHA_STATS_A_SHARD_DROPPED);
	sock_put(&si->sk);
	return true;
}

/**
 * bertha_shard_forward() - ``shard/server``: move a message to its shard
 * @conn: a peer of the canonical socket, bound to ``shard/server`` here
 * @skb: the message (headers pulled); consumed
 *
 * No copy: the message is charged to the shard socket's receive buffer.
 * Without a shard socket on the port, or with its buffer full, it is
 * dropped and counted.
 *
 * Context: softirq, under rcu_read_lock().
 * Return: false when the shard socket could not take it (buffer full);
 * true when it was queued, or dropped for want of a shard socket.
 */
bool bertha_shard_forward(struct bertha_conn *conn, struct sk_buff *skb)
{
	struct bertha_sock *bs = conn->bs, *si;
	struct bertha_net *bn = bertha_net(sock_net(&bs->sk));
	u32 i = bertha_shard_of(&conn->shard, skb, 0);
	bool queued;

	si = xa_load(&bn->shard_socks,
		     bertha_shard_key(conn->peer.sbe_ip_family,
				      conn->shard.port[i]));
	if (!si || !refcount_inc_not_zero(&si->sk.sk_refcnt)) {
		kfree_skb(skb);
		bertha_shard_count(bs, &bs->cnt.shard_dropped,
				   BERTHA_STATS_A_SHARD_DROPPED);
		return true;
	}
	queued = bertha_shard_queue(si, conn, skb);
	if (queued)
		bertha_shard_count(bs, &bs->cnt.shard_forwarded,
				   BERTHA_STATS_A_SHARD_FORWARDED);
	else
		bertha_shard_count(bs, &bs->cnt.shard_dropped,
				   BERTHA_STATS_A_SHARD_DROPPED);
	sock_put(&si->sk);
	return queued;
}

/**
 * bertha_shard_deliver() - a reliable group peer's next message, in order
 * @conn: a peer of a canonical socket, with reliable delivery
 * @skb: the message (headers pulled); consumed
 * @port: the UDP port it arrived on
 *
 * A message that reached shard port Pi (client push, or the XDP program)
 * goes to the shard socket on Pi; one that reached P0 is forwarded as
 * ``shard/server`` says, or stays on the canonical socket when the shard
 * runs elsewhere.
 *
 * Context: softirq, under rcu_read_lock().
 * Return: false when the socket could not take it now (the sender
 * retransmits it); true when it was queued, or dropped and counted for
 * want of a shard socket.
 */
bool bertha_shard_deliver(struct bertha_conn *conn, struct sk_buff *skb,
			  __be16 port)
{
	struct bertha_sock *bs = conn->bs, *si;
	struct bertha_net *bn = bertha_net(sock_net(&bs->sk));
	bool queued;

	if (port == conn->local.sbe_port) {
		if (READ_ONCE(conn->shard_role) == BERTHA_SHARD_ROLE_FORWARD)
			return bertha_shard_forward(conn, skb);
		return bertha_conn_deliver(conn, skb) == 0;
	}
	si = xa_load(&bn->shard_socks,
		     bertha_shard_key(conn->local.sbe_ip_family, port));
	if (!si || si->sk.sk_type != SOCK_DGRAM ||
	    !refcount_inc_not_zero(&si->sk.sk_refcnt)) {
		kfree_skb(skb);
		bertha_shard_count(bs, &bs->cnt.shard_dropped,
				   BERTHA_STATS_A_SHARD_DROPPED);
		return true;
	}
	queued = bertha_shard_queue(si, conn, skb);
	if (!queued)
		bertha_shard_count(si, &si->cnt.shard_dropped,
				   BERTHA_STATS_A_SHARD_DROPPED);
	sock_put(&si->sk);
	return queued;
}

/**
 * bertha_shard_dest() - where a client sends a message
 * @bs: the socket
 * @conn: its negotiated peer
 * @skb: the message, linear, after the send ops
 * @buf: room for a shard's address
 *
 * Return: @conn's peer, or with ``shard/client-push`` bound here, the
 * address of the message's shard (in @buf).
 */
const struct sockaddr_bertha *bertha_shard_dest(struct bertha_sock *bs,
						struct bertha_conn *conn,
						struct sk_buff *skb,
						struct sockaddr_bertha *buf)
{
	if (READ_ONCE(conn->shard_role) != BERTHA_SHARD_ROLE_PUSH)
		return &conn->peer;
	*buf = conn->peer;
	buf->sbe_port = conn->shard.port[bertha_shard_of(&conn->shard, skb, 0)];
	bertha_shard_count(bs, &bs->cnt.shard_pushed,
			   BERTHA_STATS_A_SHARD_PUSHED);
	return buf;
}

/**
 * bertha_shard_rel_dest() - where a reliable connection sends a message
 * @conn: the connection
 * @skb: the message, its sequence number in front
 * @off: the bytes in front of the message
 * @count: count it as pushed (its first transmission)
 * @buf: room for a shard's address
 *
 * Return: as bertha_shard_dest(), for a message at @skb->data + @off.
 */
const struct sockaddr_bertha *bertha_shard_rel_dest(struct bertha_conn *conn,
						    struct sk_buff *skb,
						    unsigned int off,
						    bool count,
						    struct sockaddr_bertha *buf)
{
	struct bertha_sock *bs = conn->bs;

	if (READ_ONCE(conn->shard_role) != BERTHA_SHARD_ROLE_PUSH)
		return &conn->peer;
	*buf = conn->peer;
	buf->sbe_port = conn->shard.port[bertha_shard_of(&conn->shard, skb,
							 off)];
	if (count)
		bertha_shard_count(bs, &bs->cnt.shard_pushed,
				   BERTHA_STATS_A_SHARD_PUSHED);
	return buf;
}

/* The newest negotiated peer of @bs's group at @addr, or NULL. */
static struct bertha_conn *bertha_shard_peer(struct bertha_sock *bs,
					     const struct sockaddr_bertha *addr)
{
	struct bertha_net *bn = bertha_net(sock_net(&bs->sk));
	struct bertha_conn *conn, *found = NULL;
	struct bertha_shard_group *g;
	struct bertha_port *cport;
	unsigned long id;

	g = xa_load(&bn->shard_groups,
		    bertha_shard_key(bs->port->local.sbe_ip_family,
				     bs->port->local.sbe_port));
	cport = g ? READ_ONCE(g->canon->port) : NULL;
	if (!cport)
		return NULL;
	/* the newest peer at that address wins, as for a socket's own peers */
	xa_for_each(&cport->conns, id, conn)
		if (conn->bs == g->canon && READ_ONCE(conn->binding) &&
		    bertha_addr_equal(&conn->peer, addr))
			found = conn;
	return found;
}

/**
 * bertha_shard_reply() - sendto() on a shard socket to a peer of its group
 * @bs: the shard socket, bound, locked
 * @msg: the message; msg_name is the peer
 * @len: its length
 *
 * The reply is not negotiated: it carries the peer's connection id with
 * the canonical socket. Unsequenced, it leaves from the shard socket's own
 * port. With ``reliable`` it goes through the connection's reliable
 * sender: sequenced with everything the group sends that peer, sent (and
 * retransmitted) from the canonical port, charged to @bs's send buffer
 * until acknowledged.
 *
 * Return: @len; -ENOENT when @bs is no shard socket or the address no peer
 * of its group; -EOPNOTSUPP when that peer's binding transforms messages
 * (send ops); -ETIMEDOUT when the peer stopped acknowledging; the errors
 * of sending.
 */
int bertha_shard_reply(struct bertha_sock *bs, struct msghdr *msg,
		       size_t len)
{
	const struct sockaddr_bertha *addr = msg->msg_name;
	struct bertha_binding_set *b;
	struct sockaddr_bertha peer = {};
	struct bertha_conn *conn;
	struct sk_buff *skb;
	u32 peer_id = 0;
	int err = -ENOENT;

	rcu_read_lock();
	conn = bertha_shard_peer(bs, addr);
	if (conn) {
		b = READ_ONCE(conn->binding);
		peer = conn->peer;
		peer_id = conn->peer_id;
		err = b->has_send ? -EOPNOTSUPP : 0;
	}
	rcu_read_unlock();
	if (err)
		return err;

	skb = sock_alloc_send_skb(&bs->sk, BERTHA_HEADROOM + len,
				  msg->msg_flags & MSG_DONTWAIT, &err);
	if (!skb)
		return err;
	skb_reserve(skb, BERTHA_HEADROOM);
	err = memcpy_from_msg(skb_put(skb, len), msg, len);
	if (err) {
		kfree_skb(skb);
		return err;
	}
	/* The peer may have gone while we waited for buffer space. Its
	 * reliable state goes only after an RCU grace period (see
	 * bertha_rel_detach()), so it is safe to use in here.
	 */
	rcu_read_lock();
	conn = bertha_shard_peer(bs, addr);
	if (!conn) {
		rcu_read_unlock();
		kfree_skb(skb);
		return -ENOENT;
	}
	if (READ_ONCE(conn->rel)) {
		err = bertha_rel_send(conn, skb, false);
		rcu_read_unlock();
	} else {
		rcu_read_unlock();
		err = bertha_port_send(bs->port, NULL, &peer, BERTHA_WIRE_DATA,
				       peer_id, 0, skb);
	}
	if (err)
		return err;
	atomic64_inc(&bs->cnt.tx_messages);
	return len;
}

/* The listener's fallback has the lower priority: client push spares the
 * listener a hop, as the XDP program does.
 */
static struct bertha_chunnel_impl bertha_shard_impls[] = {
	{
		.type		= BERTHA_SHARD_TYPE,
		.name		= BERTHA_SHARD_SERVER,
		.priority	= 10,
		.scope		= BERTHA_SCOPE_HOST,
		.endpoints	= BERTHA_ENDPOINTS_ONE,
		.owner		= THIS_MODULE,
	},
	{
		.type		= BERTHA_SHARD_TYPE,
		.name		= BERTHA_SHARD_PUSH,
		.priority	= 20,
		.scope		= BERTHA_SCOPE_HOST,
		.endpoints	= BERTHA_ENDPOINTS_ONE,
		.owner		= THIS_MODULE,
	},
};

/**
 * bertha_shard_register() - register ``shard/server`` and
 *	``shard/client-push``
 *
 * Return: 0 or the registration's error.
 */
int bertha_shard_register(void)
{
	int err;

	err = bertha_chunnel_register(&bertha_shard_impls[0]);
	if (err)
		return err;
	err = bertha_chunnel_register(&bertha_shard_impls[1]);
	if (err)
		bertha_chunnel_unregister(&bertha_shard_impls[0]);
	return err;
}

/**
 * bertha_shard_unregister() - withdraw them
 */
void bertha_shard_unregister(void)
{
	bertha_chunnel_unregister(&bertha_shard_impls[1]);
	bertha_chunnel_unregister(&bertha_shard_impls[0]);
}
