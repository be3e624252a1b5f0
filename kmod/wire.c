// SPDX-License-Identifier: GPL-2.0
/*
 * The byte order of the wire (format version 2): HELLO, ACCEPT and REJECT
 * carry netlink-style attributes, and on the wire every attribute header
 * (length, type) and every integer value is big-endian, so that peers of
 * any endianness read each other. The core builds and parses them with the
 * kernel's netlink helpers in host order and converts a payload in place,
 * once, at the edge: just before it is sent and just after it arrives.
 *
 * The conversion needs to know which attributes are integers and which
 * nest others: the tables below say it, field by field, for the wire's
 * attributes, the nested chunnel attributes and the DAG blob a HELLO or
 * ACCEPT carries (which nests the uapi &enum bertha_dag_attrs). A
 * chunnel's own attributes (%BERTHA_WIRE_C_OWN) are the chunnel's: their
 * headers are converted (nests followed by %NLA_F_NESTED), their values
 * are not; chunnels write integers there with nla_put_be32() and friends.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <net/netlink.h>

#include <linux/bertha.h>

#include "wire.h"

/* How one attribute's value is converted. */
enum bertha_wire_kind {
	BERTHA_WK_RAW,		/* bytes, strings, flags: as they are */
	BERTHA_WK_U32,
	BERTHA_WK_U64,
	BERTHA_WK_NEST,		/* attributes of ->nested */
	BERTHA_WK_BLOB,		/* a binary value that is an attribute stream */
	BERTHA_WK_OWN,		/* a chunnel's: headers only */
};

struct bertha_wire_schema;

struct bertha_wire_field {
	u8 kind;
	const struct bertha_wire_schema *nested;
};

struct bertha_wire_schema {
	unsigned int max;
	const struct bertha_wire_field *field;
};

static const struct bertha_wire_schema bertha_wire_args;

static const struct bertha_wire_field bertha_wire_arg_fields[] = {
	[BERTHA_ARG_A_ARG]	= { BERTHA_WK_NEST, &bertha_wire_args },
	[BERTHA_ARG_A_KEY]	= { BERTHA_WK_RAW },
	[BERTHA_ARG_A_VALUE]	= { BERTHA_WK_RAW },
};

static const struct bertha_wire_schema bertha_wire_args = {
	BERTHA_ARG_A_MAX, bertha_wire_arg_fields,
};

static const struct bertha_wire_schema bertha_wire_dag;

static const struct bertha_wire_field bertha_wire_node_fields[] = {
	[BERTHA_NODE_A_TYPE]		= { BERTHA_WK_RAW },
	[BERTHA_NODE_A_ARGS]		= { BERTHA_WK_NEST, &bertha_wire_args },
	[BERTHA_NODE_A_SCOPE]		= { BERTHA_WK_U32 },
	[BERTHA_NODE_A_NEXT]		= { BERTHA_WK_NEST, &bertha_wire_dag },
	[BERTHA_NODE_A_ALTERNATIVES]	= { BERTHA_WK_NEST, &bertha_wire_dag },
};

static const struct bertha_wire_schema bertha_wire_node = {
	BERTHA_NODE_A_MAX, bertha_wire_node_fields,
};

static const struct bertha_wire_field bertha_wire_dag_fields[] = {
	[BERTHA_DAG_A_NODE]	= { BERTHA_WK_NEST, &bertha_wire_node },
};

static const struct bertha_wire_schema bertha_wire_dag = {
	BERTHA_DAG_A_MAX, bertha_wire_dag_fields,
};

static const struct bertha_wire_field bertha_wire_chunnel_fields[] = {
	[BERTHA_WIRE_C_TYPE]		= { BERTHA_WK_RAW },
	[BERTHA_WIRE_C_NAME]		= { BERTHA_WK_RAW },
	[BERTHA_WIRE_C_PRIORITY]	= { BERTHA_WK_U32 },
	[BERTHA_WIRE_C_SCOPE]		= { BERTHA_WK_U32 },
	[BERTHA_WIRE_C_ENDPOINTS]	= { BERTHA_WK_U32 },
	[BERTHA_WIRE_C_WHERE]		= { BERTHA_WK_U32 },
	[BERTHA_WIRE_C_CHOICE]		= { BERTHA_WK_U32 },
	[BERTHA_WIRE_C_OWN]		= { BERTHA_WK_OWN },
};

static const struct bertha_wire_schema bertha_wire_chunnel = {
	BERTHA_WIRE_C_MAX, bertha_wire_chunnel_fields,
};

static const struct bertha_wire_field bertha_wire_fields[] = {
	[BERTHA_WIRE_A_CONN_ID]		= { BERTHA_WK_U32 },
	[BERTHA_WIRE_A_SOCK_TYPE]	= { BERTHA_WK_U32 },
	[BERTHA_WIRE_A_HOST_ID]		= { BERTHA_WK_U64 },
	[BERTHA_WIRE_A_COOKIE]		= { BERTHA_WK_U64 },
	[BERTHA_WIRE_A_DAG]		= { BERTHA_WK_BLOB, &bertha_wire_dag },
	[BERTHA_WIRE_A_IMPL]		= { BERTHA_WK_NEST, &bertha_wire_chunnel },
	[BERTHA_WIRE_A_BOUND]		= { BERTHA_WK_NEST, &bertha_wire_chunnel },
	[BERTHA_WIRE_A_REASON]		= { BERTHA_WK_U32 },
	[BERTHA_WIRE_A_LOCAL]		= { BERTHA_WK_RAW },
	[BERTHA_WIRE_A_VERSION]		= { BERTHA_WK_U32 },
	[BERTHA_WIRE_A_TOKEN]		= { BERTHA_WK_U64 },
};

static const struct bertha_wire_schema bertha_wire_top = {
	BERTHA_WIRE_A_MAX, bertha_wire_fields,
};

/*
 * A DAG nests two levels per node on its longest path (NEXT or
 * ALTERNATIVES, then NODE), its arguments two more, and the wire's
 * attributes two around it: anything deeper is no DAG bertha accepts, and
 * the bound keeps the recursion's stack small.
 */
#define BERTHA_WIRE_DEPTH_MAX	(2 * BERTHA_DAG_MAX_DEPTH + 6)

static int bertha_wire_convert(void *data, int len,
			       const struct bertha_wire_schema *schema,
			       bool to_net, int depth);

/* Convert one attribute's value, its header already in host order. */
static void bertha_wire_value(struct nlattr *nla, u8 kind,
			      const struct bertha_wire_schema *nested,
			      bool to_net, int depth)
{
	void *v = nla_data(nla);
	u64 x64;
	u32 x32;

	/* Either way it is the same byte swap (or none, on a big-endian
	 * host). memcpy(): attributes are only 4-byte aligned. A value of
	 * the wrong size is left for the strict parse to refuse.
	 */
	switch (kind) {
	case BERTHA_WK_U32:
		if (nla_len(nla) != sizeof(x32))
			return;
		memcpy(&x32, v, sizeof(x32));
		x32 = (__force u32)cpu_to_be32(x32);
		memcpy(v, &x32, sizeof(x32));
		return;
	case BERTHA_WK_U64:
		if (nla_len(nla) != sizeof(x64))
			return;
		memcpy(&x64, v, sizeof(x64));
		x64 = (__force u64)cpu_to_be64(x64);
		memcpy(v, &x64, sizeof(x64));
		return;
	case BERTHA_WK_NEST:
	case BERTHA_WK_BLOB:
		bertha_wire_convert(v, nla_len(nla), nested, to_net, depth + 1);
		return;
	case BERTHA_WK_OWN:
		bertha_wire_convert(v, nla_len(nla), NULL, to_net, depth + 1);
		return;
	}
}

/*
 * Convert the attributes in @data[0..@len) in place. @schema NULL: a
 * chunnel's own attributes, headers only, following nests by their
 * %NLA_F_NESTED flag. It stops at the first attribute that overruns its
 * container, and inside a nest nested too deep; what it leaves is for the
 * strict parse to refuse, which it then does at exactly that attribute
 * (its header is converted and wrong).
 *
 * Return: 0, or -EPROTO when it stopped early at this level.
 */
static int bertha_wire_convert(void *data, int len,
			       const struct bertha_wire_schema *schema,
			       bool to_net, int depth)
{
	const struct bertha_wire_field *f;
	struct nlattr *nla;
	u16 alen, type;

	if (depth > BERTHA_WIRE_DEPTH_MAX)
		return -EPROTO;
	while (len >= NLA_HDRLEN) {
		nla = data;
		if (to_net) {
			alen = nla->nla_len;
			type = nla->nla_type;
		} else {
			alen = be16_to_cpu((__force __be16)nla->nla_len);
			type = be16_to_cpu((__force __be16)nla->nla_type);
			nla->nla_len = alen;
			nla->nla_type = type;
		}
		if (alen < NLA_HDRLEN || alen > len)
			return -EPROTO;

		f = NULL;
		if (schema && (type & NLA_TYPE_MASK) <= schema->max)
			f = &schema->field[type & NLA_TYPE_MASK];
		if (f)
			bertha_wire_value(nla, f->kind, f->nested, to_net,
					  depth);
		else if (!schema && (type & NLA_F_NESTED))
			bertha_wire_value(nla, BERTHA_WK_OWN, NULL, to_net,
					  depth);
		if (to_net) {
			nla->nla_len = (__force u16)cpu_to_be16(alen);
			nla->nla_type = (__force u16)cpu_to_be16(type);
		}
		if (NLA_ALIGN(alen) >= len)
			break;
		data += NLA_ALIGN(alen);
		len -= NLA_ALIGN(alen);
	}
	return 0;
}

/**
 * bertha_wire_to_net() - a control payload, built in host order, into the
 *	wire's byte order
 * @data: the attributes after the wire header
 * @len: their length
 */
void bertha_wire_to_net(void *data, int len)
{
	WARN_ON_ONCE(bertha_wire_convert(data, len, &bertha_wire_top, true, 0));
}

/**
 * bertha_wire_to_host() - a received control payload into host order
 * @data: the attributes after the wire header, writable
 * @len: their length
 *
 * Whatever the payload holds, the parse that follows sees exactly what a
 * host-order parse of the same attributes would: well-formed attributes
 * converted, the first malformed one (and all after it) refused.
 */
void bertha_wire_to_host(void *data, int len)
{
	bertha_wire_convert(data, len, &bertha_wire_top, false, 0);
}
