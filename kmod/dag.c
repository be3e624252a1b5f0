// SPDX-License-Identifier: GPL-2.0
/*
 * The chunnel DAG of a socket: validation of the netlink-attribute blob of
 * setsockopt(SOL_BERTHA, BERTHA_DAG) and the copy a socket keeps of it.
 *
 * A DAG arrives as nested attributes (uapi: enum bertha_dag_attrs), so it is
 * a tree and cannot hold a cycle. The walk bounds depth, node count and size
 * before anything else looks at it, parses strictly (unknown attributes and
 * trailing bytes are errors) and checks every type against the chunnels
 * this kernel knows.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netlink.h>

#include <linux/bertha.h>

#include "bertha.h"
#include "dag.h"
#include "registry.h"

static const struct nla_policy bertha_dag_policy[BERTHA_DAG_A_MAX + 1] = {
	[BERTHA_DAG_A_NODE]	= { .type = NLA_NESTED },
};

static const struct nla_policy bertha_node_policy[BERTHA_NODE_A_MAX + 1] = {
	[BERTHA_NODE_A_TYPE]	= { .type = NLA_NUL_STRING,
				    .len = BERTHA_NAME_MAX - 1 },
	[BERTHA_NODE_A_ARGS]	= { .type = NLA_NESTED },
	[BERTHA_NODE_A_SCOPE]	= NLA_POLICY_MAX(NLA_U32, BERTHA_SCOPE_MAX),
	[BERTHA_NODE_A_NEXT]	= { .type = NLA_NESTED },
	[BERTHA_NODE_A_ALTERNATIVES] = { .type = NLA_NESTED },
};

static const struct nla_policy bertha_args_policy[BERTHA_ARG_A_MAX + 1] = {
	[BERTHA_ARG_A_ARG]	= { .type = NLA_NESTED },
};

static const struct nla_policy bertha_arg_policy[BERTHA_ARG_A_MAX + 1] = {
	[BERTHA_ARG_A_KEY]	= { .type = NLA_NUL_STRING,
				    .len = BERTHA_NAME_MAX - 1 },
	[BERTHA_ARG_A_VALUE]	= { .type = NLA_NUL_STRING, .len = 255 },
};

/* What a walk of one DAG carries: whose chunnels count, nodes seen, and
 * whether a type nobody registered may load its module (the application's
 * own DAG, not a peer's).
 */
struct bertha_dag_walk {
	const struct net *net;
	unsigned int nodes;
	bool autoload;
	unsigned int holders;	/* holding nodes above, on this path */
};

static int bertha_dag_check_nodes(const struct nlattr *head, int len,
				  unsigned int depth, unsigned int min,
				  unsigned int max, struct bertha_dag_walk *walk);

static int bertha_dag_check_args(const struct nlattr *args)
{
	struct nlattr *tb[BERTHA_ARG_A_MAX + 1];
	const struct nlattr *arg;
	int rem, err;

	err = nla_validate(nla_data(args), nla_len(args), BERTHA_ARG_A_MAX,
			   bertha_args_policy, NULL);
	if (err)
		return err;
	nla_for_each_nested(arg, args, rem) {
		if (nla_type(arg) != BERTHA_ARG_A_ARG)
			return -EINVAL;
		err = nla_parse_nested(tb, BERTHA_ARG_A_MAX, arg,
				       bertha_arg_policy, NULL);
		if (err)
			return err;
		if (!tb[BERTHA_ARG_A_KEY] || !tb[BERTHA_ARG_A_VALUE])
			return -EINVAL;
	}
	return 0;
}

static int bertha_dag_check_below(struct nlattr **tb, unsigned int depth,
				  struct bertha_dag_walk *walk);

static int bertha_dag_check_node(const struct nlattr *node, unsigned int depth,
				 struct bertha_dag_walk *walk)
{
	struct nlattr *tb[BERTHA_NODE_A_MAX + 1];
	const struct nlattr *alt;
	unsigned int holds;
	bool select;
	u32 flags;
	int err;

	if (depth > BERTHA_DAG_MAX_DEPTH || ++walk->nodes > BERTHA_DAG_MAX_NODES)
		return -E2BIG;

	err = nla_parse_nested(tb, BERTHA_NODE_A_MAX, node, bertha_node_policy,
			       NULL);
	if (err)
		return err;
	if (!tb[BERTHA_NODE_A_TYPE])
		return -EINVAL;
	if (walk->autoload ?
	    !bertha_chunnel_type_request(walk->net,
					 nla_data(tb[BERTHA_NODE_A_TYPE])) :
	    !bertha_chunnel_type_known(walk->net,
				       nla_data(tb[BERTHA_NODE_A_TYPE])))
		return -EPROTONOSUPPORT;

	/* Only a select node branches, and it always does. */
	alt = tb[BERTHA_NODE_A_ALTERNATIVES];
	select = !strcmp(nla_data(tb[BERTHA_NODE_A_TYPE]), BERTHA_SELECT_TYPE);
	if (select != !!alt)
		return -EINVAL;

	if (tb[BERTHA_NODE_A_ARGS]) {
		err = bertha_dag_check_args(tb[BERTHA_NODE_A_ARGS]);
		if (err)
			return err;
	}
	/* the type's own rules for its arguments */
	err = bertha_chunnel_check_args(nla_data(tb[BERTHA_NODE_A_TYPE]),
					tb[BERTHA_NODE_A_ARGS], NULL, &flags);
	if (err)
		return err;
	/* a steering node must see the application's message */
	if ((flags & BERTHA_CHUNNEL_T_STEERS) && walk->holders)
		return -EINVAL;
	holds = flags & BERTHA_CHUNNEL_T_HOLDS;
	walk->holders += holds;
	err = bertha_dag_check_below(tb, depth, walk);
	walk->holders -= holds;
	return err;
}

/* A node's alternatives and the rest of its pipeline. */
static int bertha_dag_check_below(struct nlattr **tb, unsigned int depth,
				  struct bertha_dag_walk *walk)
{
	const struct nlattr *alt = tb[BERTHA_NODE_A_ALTERNATIVES];
	const struct nlattr *next;
	int err;

	if (alt) {
		err = bertha_dag_check_nodes(nla_data(alt), nla_len(alt),
					     depth + 1, 2, BERTHA_DAG_MAX_NODES,
					     walk);
		if (err)
			return err;
	}
	next = tb[BERTHA_NODE_A_NEXT];
	if (next)
		return bertha_dag_check_nodes(nla_data(next), nla_len(next),
					      depth + 1, 1, 1, walk);
	return 0;
}

/* A list of BERTHA_DAG_A_NODE attributes with between @min and @max
 * entries: the blob itself, a NEXT or an ALTERNATIVES.
 */
static int bertha_dag_check_nodes(const struct nlattr *head, int len,
				  unsigned int depth, unsigned int min,
				  unsigned int max, struct bertha_dag_walk *walk)
{
	const struct nlattr *node;
	unsigned int count = 0;
	int rem, err;

	err = nla_validate(head, len, BERTHA_DAG_A_MAX, bertha_dag_policy,
			   NULL);
	if (err)
		return err;
	nla_for_each_attr(node, head, len, rem) {
		if (nla_type(node) != BERTHA_DAG_A_NODE || ++count > max)
			return -EINVAL;
		err = bertha_dag_check_node(node, depth, walk);
		if (err)
			return err;
	}
	return count < min ? -EINVAL : 0;
}

static int __bertha_dag_check(const struct net *net,
			      const struct bertha_dag *dag, bool autoload);

/**
 * bertha_dag_check() - validate a DAG blob, a peer's too
 * @net: the namespace whose chunnel types count
 * @dag: the blob
 *
 * Return: 0; -EINVAL for a malformed blob or arguments a chunnel type
 * refuses, -E2BIG beyond the uapi limits, -EPROTONOSUPPORT for a chunnel
 * type @net does not know.
 */
int bertha_dag_check(const struct net *net, const struct bertha_dag *dag)
{
	return __bertha_dag_check(net, dag, false);
}

static int __bertha_dag_check(const struct net *net,
			      const struct bertha_dag *dag, bool autoload)
{
	struct bertha_dag_walk walk = { .net = net, .autoload = autoload };
	int err;

	if (dag->len > BERTHA_DAG_MAX_BYTES)
		return -E2BIG;
	if (dag->len < NLA_HDRLEN)
		return -EINVAL;
	err = bertha_dag_check_nodes((const struct nlattr *)dag->blob, dag->len,
				     1, 1, 1, &walk);
	/* The netlink policy code reports values and strings out of range as
	 * -ERANGE; to the application that is a malformed DAG, and ERANGE
	 * belongs to getsockopt ("buffer too small").
	 */
	return err == -ERANGE ? -EINVAL : err;
}

/**
 * bertha_dag_dup() - copy a DAG
 * @blob: the attributes
 * @len: their length
 * @gfp: allocation flags
 *
 * Return: a new &struct bertha_dag (free with kfree()), or NULL.
 */
struct bertha_dag *bertha_dag_dup(const void *blob, u32 len, gfp_t gfp)
{
	struct bertha_dag *dag;

	dag = kmalloc(struct_size(dag, blob, len), gfp);
	if (dag) {
		dag->len = len;
		memcpy(dag->blob, blob, len);
	}
	return dag;
}

/**
 * bertha_dag_from_user() - copy and validate a DAG blob from setsockopt
 * @net: the socket's namespace
 * @optval: the blob
 * @optlen: its length
 *
 * Return: a new &struct bertha_dag for the socket to keep (free with
 * kfree()), or an ERR_PTR(): the errors of bertha_dag_check(), -EFAULT,
 * -ENOMEM.
 */
struct bertha_dag *bertha_dag_from_user(const struct net *net,
					sockptr_t optval, unsigned int optlen)
{
	struct bertha_dag *dag;
	int err;

	if (optlen > BERTHA_DAG_MAX_BYTES)
		return ERR_PTR(-E2BIG);
	if (optlen < NLA_HDRLEN)
		return ERR_PTR(-EINVAL);

	dag = kmalloc(struct_size(dag, blob, optlen), GFP_KERNEL);
	if (!dag)
		return ERR_PTR(-ENOMEM);
	dag->len = optlen;
	if (copy_from_sockptr(dag->blob, optval, optlen)) {
		err = -EFAULT;
		goto err_free;
	}
	/* the application's own DAG may load the modules it names */
	err = __bertha_dag_check(net, dag, true);
	if (err)
		goto err_free;
	return dag;

err_free:
	kfree(dag);
	return ERR_PTR(err);
}

/**
 * bertha_dag_node_parse() - read one node of a validated DAG
 * @node: a %BERTHA_DAG_A_NODE attribute of a DAG bertha_dag_check() passed
 * @out: the node's type, scope, alternatives and next
 *
 * Return: 0 or -EINVAL.
 */
int bertha_dag_node_parse(const struct nlattr *node,
			  struct bertha_dag_node *out)
{
	struct nlattr *tb[BERTHA_NODE_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, BERTHA_NODE_A_MAX, node, bertha_node_policy,
			       NULL);
	if (err || !tb[BERTHA_NODE_A_TYPE])
		return -EINVAL;
	out->type = nla_data(tb[BERTHA_NODE_A_TYPE]);
	out->scope = tb[BERTHA_NODE_A_SCOPE] ?
		     nla_get_u32(tb[BERTHA_NODE_A_SCOPE]) : BERTHA_SCOPE_ANY;
	out->args = tb[BERTHA_NODE_A_ARGS];
	out->alternatives = tb[BERTHA_NODE_A_ALTERNATIVES];
	out->next = tb[BERTHA_NODE_A_NEXT];
	return 0;
}

/**
 * bertha_dag_entry() - entry @index of a NEXT or ALTERNATIVES list
 * @list: the list, of a validated DAG
 * @index: from 0
 *
 * Return: the node, or NULL.
 */
const struct nlattr *bertha_dag_entry(const struct nlattr *list,
				      unsigned int index)
{
	const struct nlattr *node;
	int rem;

	nla_for_each_nested(node, list, rem)
		if (!index--)
			return node;
	return NULL;
}

/* Depth first, alternatives in order, then the rest of the pipeline. */
static const struct nlattr *bertha_dag_find_node(const struct nlattr *node,
						 const char *type,
						 unsigned int depth,
						 bool *found)
{
	const struct nlattr *alt, *args;
	struct bertha_dag_node n;
	int rem;

	if (depth > BERTHA_DAG_MAX_DEPTH || bertha_dag_node_parse(node, &n))
		return NULL;
	if (!strcmp(n.type, type)) {
		*found = true;
		return n.args;
	}
	if (n.alternatives) {
		nla_for_each_nested(alt, n.alternatives, rem) {
			args = bertha_dag_find_node(alt, type, depth + 1, found);
			if (*found)
				return args;
		}
	}
	if (n.next)
		return bertha_dag_find_node(bertha_dag_entry(n.next, 0), type,
					    depth + 1, found);
	return NULL;
}

/**
 * bertha_dag_find_type() - the arguments of a DAG's first node of a type
 * @dag: a validated DAG, or NULL
 * @type: the chunnel type
 * @found: set to whether the DAG has such a node
 *
 * Return: the node's %BERTHA_NODE_A_ARGS (inside @dag), or NULL.
 */
const struct nlattr *bertha_dag_find_type(const struct bertha_dag *dag,
					  const char *type, bool *found)
{
	*found = false;
	if (!dag || dag->len < NLA_HDRLEN)
		return NULL;
	return bertha_dag_find_node((const struct nlattr *)dag->blob, type, 1,
				    found);
}

struct bertha_args_walk {
	const struct bertha_binding_set *b;
	const struct nlattr **args;
	unsigned int pos;
};

/* In the order negotiation bound them (negotiate.c): a node; for a
 * select, the alternative it chose; then the rest of the pipeline.
 */
static void bertha_dag_args_node(struct bertha_args_walk *w,
				 const struct nlattr *node, unsigned int depth)
{
	struct bertha_dag_node n;
	unsigned int slot;

	if (!node || depth > BERTHA_DAG_MAX_DEPTH || w->pos >= w->b->count ||
	    bertha_dag_node_parse(node, &n))
		return;
	slot = w->pos++;
	w->args[slot] = n.args;
	if (n.alternatives)
		bertha_dag_args_node(w, bertha_dag_entry(n.alternatives,
							 w->b->node[slot].info.choice),
				     depth + 1);
	if (n.next)
		bertha_dag_args_node(w, bertha_dag_entry(n.next, 0), depth + 1);
}

/**
 * bertha_dag_binding_args() - each bound node's arguments
 * @dag: the DAG negotiation bound, or NULL
 * @b: the binding
 * @args: @b->count entries, filled (NULL: no arguments)
 */
void bertha_dag_binding_args(const struct bertha_dag *dag,
			     const struct bertha_binding_set *b,
			     const struct nlattr **args)
{
	struct bertha_args_walk w = { .b = b, .args = args };

	if (dag && dag->len >= NLA_HDRLEN)
		bertha_dag_args_node(&w, (const struct nlattr *)dag->blob, 1);
}
