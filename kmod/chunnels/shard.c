// SPDX-License-Identifier: GPL-2.0
/*
 * The shard chunnel for SOCK_DGRAM sockets (paper §5): one canonical
 * address, N shard sockets that receive the requests of many clients
 * without accepting them one by one and answer each client directly.
 *
 * A DAG node ``shard(ports=P1,...,Pn, key=OFF:LEN, fn=fnv1a)`` names the
 * shard ports; the canonical socket S0 that sets it and binds at A:P0
 * leads a group: this chunnel's per-namespace table maps each Pi to it.
 * Shard sockets Si are plain SOCK_DGRAM sockets bound at A:Pi. A DATA that
 * reaches Pi with a connection id Pi does not know is looked up among S0's
 * peers and received as that connection's (its other chunnels, such as
 * ``reliable``, run), then queued on Si with the client as its source; a
 * sendto() on Si to a peer of the group sends through that peer's
 * connection, with its id, without negotiating. The client takes DATA of
 * its connection from any of the shard ports.
 *
 * Two implementations steer the messages (the key's FNV-1a hash modulo n
 * picks the shard, see <bertha/shard.h>, shared with the XDP program):
 * ``shard/server`` runs at the listener, which moves each message S0
 * receives to Si's receive queue; ``shard/client-push`` runs at the
 * client, which sends each message to A:Pi instead of A:P0. Whatever runs
 * the chunnel elsewhere (an XDP program registered from userspace, or the
 * client), the type's ops do this end's part: take answers from the shard
 * ports at the client, and at the listener forward what still reaches S0.
 *
 * Everything goes through the chunnel API (<bertha/chunnel.h>), as for any
 * other module: the type's socket hooks see the bound sockets, its port
 * hook the DATA of the shard ports, and the tables are its own
 * (pernet_operations).
 */
#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/udp.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include <bertha/chunnel.h>
#include <bertha/shard.h>

#include "builtin.h"

#define BERTHA_SHARD_TYPE	"shard"
#define BERTHA_SHARD_SERVER	"server"
#define BERTHA_SHARD_PUSH	"client-push"

/* Without key=, the prototype's choice: the first four bytes. */
#define BERTHA_SHARD_KEY_DEFAULT	4

/**
 * struct bertha_shard_cfg - the arguments of a ``shard`` node, parsed
 * @port: the shard ports, network byte order
 * @nports: entries in @port
 * @key_len: length of the key in bytes
 * @key_off: offset of the key in the message
 */
struct bertha_shard_cfg {
	__be16 port[BERTHA_SHARD_MAX];
	u8 nports;
	u8 key_len;
	u16 key_off;
};

/**
 * enum bertha_shard_role - what a connection does for its shard node
 * @BERTHA_SHARD_ROLE_NONE: nothing but take what reaches a shard port (the
 *	listener, the shard bound at the client)
 * @BERTHA_SHARD_ROLE_FORWARD: the canonical socket's peer, the shard bound
 *	here (``shard/server``, or an offload whose leftovers reach S0): each
 *	message S0 receives moves to its shard socket
 * @BERTHA_SHARD_ROLE_PUSH: a client, ``shard/client-push`` here: each
 *	message goes to its shard's port
 * @BERTHA_SHARD_ROLE_CLIENT: a client whose listener steers; answers come
 *	from the shard ports
 */
enum bertha_shard_role {
	BERTHA_SHARD_ROLE_NONE,
	BERTHA_SHARD_ROLE_FORWARD,
	BERTHA_SHARD_ROLE_PUSH,
	BERTHA_SHARD_ROLE_CLIENT,
};

/**
 * struct bertha_shard_conn - the shard node of one connection
 * @cfg: the node's arguments
 * @role: &enum bertha_shard_role
 */
struct bertha_shard_conn {
	struct bertha_shard_cfg cfg;
	u8 role;
};

/**
 * struct bertha_shard_group - a canonical socket and its shard ports
 * @canon: the canonical socket; the group goes before it does
 * @cfg: its shard arguments
 * @held: the entries of &bertha_shard_net.groups this group owns, by
 *	index in @cfg.port
 * @rcu: frees it after softirq lookups are done
 */
struct bertha_shard_group {
	struct sock *canon;
	struct bertha_shard_cfg cfg;
	u32 held;
	struct rcu_head rcu;
};

/**
 * struct bertha_shard_net - the chunnel's tables of a network namespace
 * @socks: bound SOCK_DGRAM sockets by port (the first on a port number);
 *	RCU lookups
 * @groups: shard port -> &struct bertha_shard_group; RCU lookups
 * @leaders: a canonical socket's own port -> the group it leads
 */
struct bertha_shard_net {
	struct xarray socks;
	struct xarray groups;
	struct xarray leaders;
};

static unsigned int bertha_shard_net_id __read_mostly;

static struct bertha_shard_net *bertha_shard_net(const struct net *net)
{
	return net_generic(net, bertha_shard_net_id);
}

/* The type's counters, reported by name (and, being older than that, in
 * &struct bertha_stats and the namespace's stats attributes too).
 */
enum {
	BERTHA_SHARD_FORWARDED,
	BERTHA_SHARD_PUSHED,
	BERTHA_SHARD_DROPPED,
};

static const struct bertha_chunnel_counter bertha_shard_counters[] = {
	[BERTHA_SHARD_FORWARDED] = {
		.name = "forwarded",
		.sock_legacy = offsetof(struct bertha_stats, shard_forwarded) + 1,
		.net_legacy = BERTHA_STATS_A_SHARD_FORWARDED,
	},
	[BERTHA_SHARD_PUSHED] = {
		.name = "pushed",
		.sock_legacy = offsetof(struct bertha_stats, shard_pushed) + 1,
		.net_legacy = BERTHA_STATS_A_SHARD_PUSHED,
	},
	[BERTHA_SHARD_DROPPED] = {
		.name = "dropped",
		.sock_legacy = offsetof(struct bertha_stats, shard_dropped) + 1,
		.net_legacy = BERTHA_STATS_A_SHARD_DROPPED,
	},
};

static struct bertha_chunnel_type bertha_shard_type;
static struct bertha_chunnel_impl bertha_shard_impls[];

static void bertha_shard_count(struct sock *sk, unsigned int counter)
{
	bertha_chunnel_sock_count(&bertha_shard_type, sk, counter, 1);
}

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

/* check_args: ``ports=P1,...,Pn`` (1 to BERTHA_SHARD_MAX distinct ports
 * 1..65535), optionally ``key=OFF:LEN`` (LEN 1..BERTHA_SHARD_KEY_MAX, OFF +
 * LEN at most BERTHA_MSG_MAX) and ``fn=fnv1a``; anything else is -EINVAL.
 */
static int bertha_shard_check_args(const struct nlattr *args,
				   struct netlink_ext_ack *extack)
{
	struct bertha_shard_cfg cfg;
	int err = bertha_shard_args_parse(args, &cfg);

	if (err)
		NL_SET_ERR_MSG(extack,
			       "shard takes ports=P1,...,Pn and optionally key=OFF:LEN and fn=fnv1a");
	return err;
}

/* The shard a message (at @skb->data) goes to. */
static u32 bertha_shard_of(const struct bertha_shard_cfg *cfg,
			   const struct sk_buff *skb)
{
	u8 buf[BERTHA_SHARD_KEY_MAX];
	const u8 *key;

	if (skb->len < cfg->key_off + cfg->key_len)
		return 0;
	key = skb_header_pointer(skb, cfg->key_off, cfg->key_len, buf);
	if (!key)
		return 0;
	return bertha_shard_index(bertha_shard_hash(key, cfg->key_len),
				  cfg->nports);
}

/* The key of a bound socket's own port. */
static unsigned long bertha_shard_sock_key(const struct sock *sk)
{
	const struct sockaddr_bertha *local = bertha_sock_local(sk);

	return bertha_shard_key(local->sbe_ip_family, local->sbe_port);
}

static void bertha_shard_group_drop(struct sock *sk)
{
	struct bertha_shard_net *sn = bertha_shard_net(sock_net(sk));
	const struct sockaddr_bertha *local = bertha_sock_local(sk);
	unsigned long key = bertha_shard_sock_key(sk);
	struct bertha_shard_group *g;
	unsigned int i;

	g = xa_load(&sn->leaders, key);
	if (!g || g->canon != sk)
		return;
	xa_erase(&sn->leaders, key);
	for (i = 0; i < g->cfg.nports; i++)
		if (g->held & BIT(i))
			xa_cmpxchg(&sn->groups,
				   bertha_shard_key(local->sbe_ip_family,
						    g->cfg.port[i]),
				   g, NULL, GFP_KERNEL);
	kfree_rcu(g, rcu);
}

/* Lead a group if the socket's DAG shards; a port another group has
 * stays with that group.
 */
static void bertha_shard_group_make(struct sock *sk)
{
	struct bertha_shard_net *sn = bertha_shard_net(sock_net(sk));
	u16 fam = bertha_sock_local(sk)->sbe_ip_family;
	const struct nlattr *args;
	struct bertha_shard_group *g;
	struct bertha_shard_cfg cfg;
	unsigned int i;
	bool found;

	args = bertha_sock_node_args(sk, BERTHA_SHARD_TYPE, &found);
	if (!found || bertha_shard_args_parse(args, &cfg))
		return;
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return;
	g->canon = sk;
	g->cfg = cfg;
	if (xa_insert(&sn->leaders, bertha_shard_sock_key(sk), g, GFP_KERNEL)) {
		kfree(g);
		return;
	}
	for (i = 0; i < cfg.nports; i++)
		if (!xa_insert(&sn->groups, bertha_shard_key(fam, cfg.port[i]),
			       g, GFP_KERNEL))
			g->held |= BIT(i);
}

/* sock_bind: it may be a shard socket: record it by port (the first socket
 * on a port number counts). With a shard DAG it leads a group.
 */
static void bertha_shard_sock_bind(struct sock *sk)
{
	struct bertha_shard_net *sn = bertha_shard_net(sock_net(sk));

	/* a later socket on the port number is no shard socket */
	if (xa_insert(&sn->socks, bertha_shard_sock_key(sk), sk, GFP_KERNEL))
		pr_debug("bertha: shard: port taken in the table\n");
	bertha_shard_group_make(sk);
}

/* sock_dag: the DAG changed: lead the group it describes now. */
static void bertha_shard_sock_dag(struct sock *sk)
{
	bertha_shard_group_drop(sk);
	bertha_shard_group_make(sk);
}

static void bertha_shard_sock_release(struct sock *sk)
{
	struct bertha_shard_net *sn = bertha_shard_net(sock_net(sk));

	bertha_shard_group_drop(sk);
	xa_cmpxchg(&sn->socks, bertha_shard_sock_key(sk), sk, NULL, GFP_KERNEL);
}

/* A shard socket of this namespace, or NULL. */
static struct sock *bertha_shard_sock(const struct sock *sk, u16 fam,
				      __be16 port)
{
	struct bertha_shard_net *sn = bertha_shard_net(sock_net(sk));
	struct sock *si = xa_load(&sn->socks, bertha_shard_key(fam, port));

	return si && si->sk_type == SOCK_DGRAM ? si : NULL;
}

/* port_rcv: DATA on a port that does not know its connection. When the
 * port is a shard port of a group and the id a peer of the group's
 * canonical socket, from that peer's address (what client push and the
 * XDP program send), it is that connection's message.
 */
static bool bertha_shard_port_rcv(const struct sockaddr_bertha *local,
				  struct sock *owner, struct sk_buff *skb,
				  u32 conn_id, u16 flags)
{
	struct bertha_shard_net *sn = bertha_shard_net(dev_net(skb->dev));
	struct bertha_chunnel_conn *cc;
	struct bertha_shard_group *g;

	g = xa_load(&sn->groups, bertha_shard_key(local->sbe_ip_family,
						  local->sbe_port));
	if (!g)
		return false;
	cc = bertha_sock_conn_node(g->canon, conn_id, &bertha_shard_type);
	if (!cc || !bertha_chunnel_skb_from_peer(cc, skb, 0)) {
		bertha_shard_count(g->canon, BERTHA_SHARD_DROPPED);
		kfree_skb(skb);
		return true;
	}
	bertha_chunnel_conn_rcv(cc, skb, flags);
	return true;
}

/* sendmsg: sendto() on a shard socket to a peer of its group. The reply is
 * not negotiated: it goes through that peer's connection with the
 * canonical socket (its id, its chunnels), from the shard socket's port
 * unless a chunnel of the connection sends it itself (``reliable`` sends
 * and resends from the canonical port).
 */
static int bertha_shard_sendmsg(struct sock *sk, struct msghdr *msg,
				size_t len)
{
	struct bertha_shard_net *sn = bertha_shard_net(sock_net(sk));
	struct bertha_shard_group *g;
	struct sock *canon = NULL;
	int err;

	rcu_read_lock();
	g = xa_load(&sn->groups, bertha_shard_sock_key(sk));
	if (g && refcount_inc_not_zero(&g->canon->sk_refcnt))
		canon = g->canon;
	rcu_read_unlock();
	if (!canon)
		return -ENOENT;
	err = bertha_sock_peer_send(canon, sk, msg, len);
	sock_put(canon);
	return err;
}

/* init: the node's arguments and this end's role, for SOCK_DGRAM peers
 * (a SOCK_SEQPACKET connection has none).
 */
static int bertha_shard_conn_init(struct bertha_chunnel_conn *cc)
{
	struct bertha_shard_conn *st;
	struct bertha_shard_cfg cfg;

	if (cc->sk->sk_type != SOCK_DGRAM ||
	    bertha_shard_args_parse(cc->args, &cfg))
		return 0;
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->cfg = cfg;
	if (cc->initiator)
		st->role = cc->impl == &bertha_shard_impls[1] ?
			   BERTHA_SHARD_ROLE_PUSH : BERTHA_SHARD_ROLE_CLIENT;
	else	/* what reaches S0 under any listener-side implementation
		 * (an XDP program passes keyless messages up) is forwarded
		 */
		st->role = cc->where == BERTHA_WHERE_LOCAL ?
			   BERTHA_SHARD_ROLE_FORWARD : BERTHA_SHARD_ROLE_NONE;
	cc->priv = st;
	return 0;
}

static void bertha_shard_conn_release(struct bertha_chunnel_conn *cc)
{
	kfree(cc->priv);
}

/* xmit: client push sends each message to its shard's port. */
static int bertha_shard_xmit(struct bertha_chunnel_conn *cc,
			     struct sk_buff *skb, struct bertha_xmit *x)
{
	struct bertha_shard_conn *st = cc->priv;

	if (st && st->role == BERTHA_SHARD_ROLE_PUSH) {
		x->dport = st->cfg.port[bertha_shard_of(&st->cfg, skb)];
		bertha_chunnel_count(cc, BERTHA_SHARD_PUSHED, 1);
	}
	return BERTHA_CHUNNEL_PASS;
}

/* peer_match: a client takes its connection's DATA from any shard port of
 * the peer's address.
 */
static bool bertha_shard_peer_match(const struct bertha_chunnel_conn *cc,
				    const struct sk_buff *skb)
{
	const struct bertha_shard_conn *st = cc->priv;
	__be16 sport = udp_hdr(skb)->source;
	unsigned int i;

	if (!st || (st->role != BERTHA_SHARD_ROLE_PUSH &&
		    st->role != BERTHA_SHARD_ROLE_CLIENT))
		return false;
	for (i = 0; i < st->cfg.nports; i++)
		if (st->cfg.port[i] == sport)
			return bertha_chunnel_skb_from_peer(cc, skb, sport);
	return false;
}

/* Queue on shard socket @si what the nodes before this one make of @skb. */
static int bertha_shard_to(struct bertha_chunnel_conn *cc, struct sock *si,
			   struct sk_buff *skb, struct bertha_rcv *rx)
{
	rx->to = si;
	return bertha_chunnel_rcv_next(cc, skb, rx);
}

/* rcv, at the listener: a message that reached shard port Pi (client push,
 * the XDP program) goes to the shard socket on Pi; one that reached P0 is
 * forwarded as ``shard/server`` says, or stays on the canonical socket
 * when the shard runs elsewhere. rx->err tells a ``reliable`` below
 * whether the socket took it (else it is retransmitted).
 */
static int bertha_shard_rcv(struct bertha_chunnel_conn *cc,
			    struct sk_buff *skb, struct bertha_rcv *rx)
{
	const struct sockaddr_bertha *local = bertha_chunnel_local(cc);
	struct bertha_shard_conn *st = cc->priv;
	struct sock *si;
	int err;

	if (!st || cc->initiator)
		return BERTHA_CHUNNEL_PASS;
	if (rx->port && rx->port != local->sbe_port) {
		si = bertha_shard_sock(cc->sk, local->sbe_ip_family, rx->port);
		if (!si) {
			bertha_shard_count(cc->sk, BERTHA_SHARD_DROPPED);
			kfree_skb(skb);
			return BERTHA_CHUNNEL_STOLEN;
		}
		err = bertha_shard_to(cc, si, skb, rx);
		if (err)
			bertha_shard_count(si, BERTHA_SHARD_DROPPED);
		rx->err = err;
		return BERTHA_CHUNNEL_STOLEN;
	}
	if (st->role != BERTHA_SHARD_ROLE_FORWARD)
		return BERTHA_CHUNNEL_PASS;
	/* No copy: the message is charged to the shard socket's buffer. */
	si = bertha_shard_sock(cc->sk, bertha_chunnel_peer(cc)->sbe_ip_family,
			       st->cfg.port[bertha_shard_of(&st->cfg, skb)]);
	if (!si) {
		bertha_shard_count(cc->sk, BERTHA_SHARD_DROPPED);
		kfree_skb(skb);
		return BERTHA_CHUNNEL_STOLEN;
	}
	err = bertha_shard_to(cc, si, skb, rx);
	bertha_shard_count(cc->sk, err ? BERTHA_SHARD_DROPPED :
					 BERTHA_SHARD_FORWARDED);
	rx->err = err;
	return BERTHA_CHUNNEL_STOLEN;
}

/* One set of ops serves both implementations and the nodes bound
 * elsewhere: what a node does follows from its role (init).
 */
static const struct bertha_chunnel_ops bertha_shard_ops = {
	.xmit		= bertha_shard_xmit,
	.rcv		= bertha_shard_rcv,
	.peer_match	= bertha_shard_peer_match,
	.init		= bertha_shard_conn_init,
	.release	= bertha_shard_conn_release,
};

static struct bertha_chunnel_type bertha_shard_type = {
	.name		= BERTHA_SHARD_TYPE,
	.owner		= THIS_MODULE,
	/* the key is in the application's message: shard |> reliable */
	.flags		= BERTHA_CHUNNEL_T_STEERS,
	.check_args	= bertha_shard_check_args,
	.peer_ops	= &bertha_shard_ops,
	.sock_bind	= bertha_shard_sock_bind,
	.sock_dag	= bertha_shard_sock_dag,
	.sock_release	= bertha_shard_sock_release,
	.port_rcv	= bertha_shard_port_rcv,
	.sendmsg	= bertha_shard_sendmsg,
	.counters	= bertha_shard_counters,
	.ncounters	= ARRAY_SIZE(bertha_shard_counters),
};

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
		.side		= BERTHA_SIDE_LISTENER,
		.ops		= &bertha_shard_ops,
		.owner		= THIS_MODULE,
	},
	{
		.type		= BERTHA_SHARD_TYPE,
		.name		= BERTHA_SHARD_PUSH,
		.priority	= 20,
		.scope		= BERTHA_SCOPE_HOST,
		.endpoints	= BERTHA_ENDPOINTS_ONE,
		.side		= BERTHA_SIDE_CLIENT,
		.ops		= &bertha_shard_ops,
		.owner		= THIS_MODULE,
	},
};

static int __net_init bertha_shard_net_init(struct net *net)
{
	struct bertha_shard_net *sn = bertha_shard_net(net);

	xa_init(&sn->socks);
	xa_init(&sn->groups);
	xa_init(&sn->leaders);
	return 0;
}

static void __net_exit bertha_shard_net_exit(struct net *net)
{
	struct bertha_shard_net *sn = bertha_shard_net(net);

	/* Every socket held the namespace: the tables are empty. */
	WARN_ON_ONCE(!xa_empty(&sn->socks));
	WARN_ON_ONCE(!xa_empty(&sn->groups));
	WARN_ON_ONCE(!xa_empty(&sn->leaders));
	xa_destroy(&sn->socks);
	xa_destroy(&sn->groups);
	xa_destroy(&sn->leaders);
}

static struct pernet_operations bertha_shard_net_ops = {
	.init	= bertha_shard_net_init,
	.exit	= bertha_shard_net_exit,
	.id	= &bertha_shard_net_id,
	.size	= sizeof(struct bertha_shard_net),
};

/**
 * bertha_shard_init() - register the ``shard`` type, its tables, and
 *	``shard/server`` and ``shard/client-push``
 *
 * Return: 0 or the first error.
 */
int bertha_shard_init(void)
{
	int err;

	err = register_pernet_subsys(&bertha_shard_net_ops);
	if (err)
		return err;
	err = bertha_chunnel_type_register(&bertha_shard_type);
	if (err)
		goto err_net;
	err = bertha_chunnel_register(&bertha_shard_impls[0]);
	if (err)
		goto err_type;
	err = bertha_chunnel_register(&bertha_shard_impls[1]);
	if (!err)
		return 0;
	bertha_chunnel_unregister(&bertha_shard_impls[0]);
err_type:
	bertha_chunnel_type_unregister(&bertha_shard_type);
err_net:
	unregister_pernet_subsys(&bertha_shard_net_ops);
	return err;
}

/**
 * bertha_shard_exit() - withdraw them
 */
void bertha_shard_exit(void)
{
	bertha_chunnel_unregister(&bertha_shard_impls[1]);
	bertha_chunnel_unregister(&bertha_shard_impls[0]);
	bertha_chunnel_type_unregister(&bertha_shard_type);
	unregister_pernet_subsys(&bertha_shard_net_ops);
}
