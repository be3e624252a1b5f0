// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: what chunnels report by name. Each chunnel type owns its
 * counters and reports them as a nest of &enum bertha_chunnel_stats_attrs
 * (BERTHA_STATS_A_CHUNNEL in stats, BERTHA_CONN_A_CHUNNEL_STATS per
 * socket), and each bound implementation may describe its connection in a
 * nest of attributes of its own (BERTHA_BINDING_NODE_A_INFO). Nothing here
 * knows a chunnel: counters print under the names the kernel sends, info
 * attributes under the names of ctl_chunnel_names.c, else as attrN, with
 * values decoded from their length.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

/* How deep info nests within nests are decoded; deeper ones print as hex. */
#define INFO_DEPTH_MAX	4

/* ---- counters ---------------------------------------------------------- */

static struct nla_policy chunnel_stats_pol[BERTHA_CHUNNEL_STATS_A_MAX + 1] = {
	[BERTHA_CHUNNEL_STATS_A_TYPE] = { .type = NLA_STRING },
	[BERTHA_CHUNNEL_STATS_A_COUNTER] = { .type = NLA_NESTED },
};

static struct nla_policy counter_pol[BERTHA_COUNTER_A_MAX + 1] = {
	[BERTHA_COUNTER_A_NAME] = { .type = NLA_STRING },
	[BERTHA_COUNTER_A_VALUE] = { .type = NLA_U64 },
};

/* One counter nest: its name and value; -1 if malformed. */
static int counter_parse(struct nlattr *nest, const char **name, uint64_t *value)
{
	struct nlattr *tb[BERTHA_COUNTER_A_MAX + 1];

	if (nla_parse_nested(tb, BERTHA_COUNTER_A_MAX, nest, counter_pol) < 0 ||
	    !tb[BERTHA_COUNTER_A_NAME] || !tb[BERTHA_COUNTER_A_VALUE])
		return -1;
	*name = nla_get_string(tb[BERTHA_COUNTER_A_NAME]);
	*value = nla_get_u64(tb[BERTHA_COUNTER_A_VALUE]);
	return 0;
}

/* One chunnel's nest: its type, and whether every counter is well formed. */
static int chunnel_stats_parse(struct nlattr *nest, const char **type)
{
	struct nlattr *tb[BERTHA_CHUNNEL_STATS_A_MAX + 1], *a;
	const char *name;
	uint64_t value;
	int rem;

	if (nla_parse_nested(tb, BERTHA_CHUNNEL_STATS_A_MAX, nest, chunnel_stats_pol) < 0 ||
	    !tb[BERTHA_CHUNNEL_STATS_A_TYPE])
		return -1;
	*type = nla_get_string(tb[BERTHA_CHUNNEL_STATS_A_TYPE]);
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) == BERTHA_CHUNNEL_STATS_A_COUNTER &&
		    counter_parse(a, &name, &value))
			return -1;
	}
	return 0;
}

int chunnel_stats_check(struct nlmsghdr *nlh, int attrtype)
{
	struct nlattr *a;
	const char *type;
	int rem;

	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem) {
		if (nla_type(a) == attrtype && chunnel_stats_parse(a, &type))
			return -1;
	}
	return 0;
}

/* A name in text output, one word: blanks and controls become '?'. */
static void print_word(const char *s)
{
	for (; *s; s++)
		putchar(*s > ' ' && *s < 0x7f ? *s : '?');
}

/* Whether a counter of the chunnel nest @a (checked) is not zero. */
static bool chunnel_stats_any(struct nlattr *a)
{
	struct nlattr *c;
	const char *name;
	uint64_t value;
	int rem;

	nla_for_each_nested(c, a, rem) {
		if (nla_type(c) == BERTHA_CHUNNEL_STATS_A_COUNTER &&
		    !counter_parse(c, &name, &value) && value)
			return true;
	}
	return false;
}

/*
 * Every counter of the @attrtype nests of @nlh (checked): in text, the
 * lines "TYPE.COUNTER VALUE" (@line_prefix NULL) or, per type with a
 * counter that is not zero (as ss(8) leaves out what did not happen), one
 * line "@line_prefix counters TYPE: COUNTER=VALUE ..."; in JSON, the
 * member "chunnels": {"TYPE": {"COUNTER": VALUE, ...}, ...} (@first: the
 * object's first member is yet to come).
 */
void chunnel_stats_print(struct nlmsghdr *nlh, int attrtype, bool *first,
			 const char *line_prefix)
{
	bool ftype = true;
	struct nlattr *a, *c;
	int rem, crem;

	if (json) {
		json_key(first, "chunnels");
		putchar('{');
	}
	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem) {
		const char *type, *name;
		bool fcounter = true;
		uint64_t value;

		if (nla_type(a) != attrtype || chunnel_stats_parse(a, &type))
			continue;
		if (!json && line_prefix && !chunnel_stats_any(a))
			continue;
		if (json) {
			json_key(&ftype, type);
			putchar('{');
		} else if (line_prefix) {
			printf("%scounters ", line_prefix);
			print_word(type);
			putchar(':');
		}
		nla_for_each_nested(c, a, crem) {
			if (nla_type(c) != BERTHA_CHUNNEL_STATS_A_COUNTER ||
			    counter_parse(c, &name, &value))
				continue;
			if (json) {
				json_kv_u64(&fcounter, name, value);
			} else if (line_prefix) {
				putchar(' ');
				print_word(name);
				printf("=%" PRIu64, value);
			} else {
				print_word(type);
				putchar('.');
				print_word(name);
				printf(" %" PRIu64 "\n", value);
			}
		}
		if (json)
			putchar('}');
		else if (line_prefix)
			putchar('\n');
	}
	if (json)
		putchar('}');
}

/* ---- info -------------------------------------------------------------- */

/* Whether @len bytes at @data are netlink attributes, ending at the end. */
static bool attrs_ok(const void *data, int len)
{
	const struct nlattr *a;
	int rem;

	nla_for_each_attr(a, (struct nlattr *)data, len, rem)
		;
	return rem >= 0 && rem < NLA_HDRLEN;
}

/* NUL-terminated text of printable characters, at least one. */
static bool is_text(const unsigned char *p, int len)
{
	if (len < 2 || p[len - 1])
		return false;
	for (int i = 0; i < len - 1; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* A string value in text: bare if it is one plain word, else quoted. */
static void text_string(const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\\' || *p == '=' ||
		    *p == '{' || *p == '}')
			break;
	if (*s && !*p)
		fputs(s, stdout);
	else
		json_str(s);
}

static void info_attrs(const char *type, const void *data, int len, int depth);

/* What @a holds: @kind as declared, else guessed from its length. */
static enum chunnel_info_kind info_kind(const struct nlattr *a,
					enum chunnel_info_kind kind, int depth)
{
	const unsigned char *p = nla_data(a);
	int len = nla_len(a);

	if (kind == CHUNNEL_INFO_AUTO) {
		if ((a->nla_type & NLA_F_NESTED) && attrs_ok(p, len))
			kind = CHUNNEL_INFO_NEST;
		else if (!len)
			kind = CHUNNEL_INFO_FLAG;
		else if (is_text(p, len) && len > 2)
			/* a u32 of three printable bytes reads as text, the
			 * price of "xdp" not reading as 7365752 */
			kind = CHUNNEL_INFO_STRING;
		else if (len == 1 || len == 2 || len == 4 || len == 8)
			kind = CHUNNEL_INFO_UNSIGNED;
		else
			kind = CHUNNEL_INFO_BINARY;
	}
	/* A value unlike its declared kind prints as bytes. */
	if ((kind == CHUNNEL_INFO_NEST && (depth >= INFO_DEPTH_MAX || !attrs_ok(p, len))) ||
	    (kind == CHUNNEL_INFO_STRING && (!len || p[len - 1])) ||
	    ((kind == CHUNNEL_INFO_UNSIGNED || kind == CHUNNEL_INFO_SIGNED) &&
	     len != 1 && len != 2 && len != 4 && len != 8) ||
	    (kind == CHUNNEL_INFO_FLAG && len))
		kind = CHUNNEL_INFO_BINARY;
	return kind;
}

/* One attribute's value (after its name), of @kind from info_kind(). */
static void info_value(const char *type, const struct nlattr *a,
		       enum chunnel_info_kind kind, int depth)
{
	const unsigned char *p = nla_data(a);
	int len = nla_len(a);
	uint64_t v = 0;

	switch (kind) {
	case CHUNNEL_INFO_NEST:
		putchar('{');
		info_attrs(type, p, len, depth + 1);
		putchar('}');
		break;
	case CHUNNEL_INFO_FLAG:
		/* text: the name alone */
		if (json)
			fputs("true", stdout);
		break;
	case CHUNNEL_INFO_STRING:
		if (json)
			json_str((const char *)p);
		else
			text_string((const char *)p);
		break;
	case CHUNNEL_INFO_UNSIGNED:
	case CHUNNEL_INFO_SIGNED:
		/* host byte order, as nla_put_u*() puts them */
		if (len == 1) {
			uint8_t x = p[0];

			v = kind == CHUNNEL_INFO_SIGNED ? (uint64_t)(int64_t)(int8_t)x : x;
		} else if (len == 2) {
			uint16_t x;

			memcpy(&x, p, 2);
			v = kind == CHUNNEL_INFO_SIGNED ? (uint64_t)(int64_t)(int16_t)x : x;
		} else if (len == 4) {
			uint32_t x;

			memcpy(&x, p, 4);
			v = kind == CHUNNEL_INFO_SIGNED ? (uint64_t)(int64_t)(int32_t)x : x;
		} else {
			memcpy(&v, p, 8);
		}
		if (kind == CHUNNEL_INFO_SIGNED)
			printf("%" PRId64, (int64_t)v);
		else
			printf("%" PRIu64, v);
		break;
	default:
		if (json)
			putchar('"');
		else
			fputs("0x", stdout);
		for (int i = 0; i < len; i++)
			printf("%02x", p[i]);
		if (json)
			putchar('"');
		break;
	}
}

/* The attributes at @data (checked): "NAME=VALUE ..." or JSON members. */
static void info_attrs(const char *type, const void *data, int len, int depth)
{
	const struct nlattr *a;
	bool first = true;
	int rem;

	nla_for_each_attr(a, (struct nlattr *)data, len, rem) {
		const struct chunnel_info_name *n = NULL;
		enum chunnel_info_kind kind = CHUNNEL_INFO_AUTO;
		char gen[16];
		const char *name;

		/* names are for the top level of the nest only */
		if (!depth)
			n = chunnel_info_name(type, (uint16_t)nla_type(a));
		if (n) {
			name = n->name;
			kind = n->kind;
		} else {
			snprintf(gen, sizeof(gen), "attr%d", nla_type(a));
			name = gen;
		}
		kind = info_kind(a, kind, depth);
		if (json) {
			json_key(&first, name);
		} else {
			if (!first)
				putchar(' ');
			first = false;
			print_word(name);
			/* a flag: its name says it */
			if (kind != CHUNNEL_INFO_FLAG)
				putchar('=');
		}
		info_value(type, a, kind, depth);
	}
}

bool chunnel_info_empty(const struct nlattr *info)
{
	return !info || nla_len(info) < NLA_HDRLEN;
}

/*
 * A binding node's info nest @info of chunnel type @type: in text the line
 * "@line_prefix info TYPE: NAME=VALUE ..." (or "raw=0x..." if the nest
 * is no list of attributes); in JSON, an object of NAME: VALUE members.
 */
void chunnel_info_print(const char *type, const struct nlattr *info,
			const char *line_prefix)
{
	const void *p = nla_data(info);
	int len = nla_len(info);

	if (!json) {
		printf("%sinfo ", line_prefix);
		print_word(type);
		fputs(": ", stdout);
	}
	if (attrs_ok(p, len)) {
		if (json)
			putchar('{');
		info_attrs(type, p, len, 0);
		if (json)
			putchar('}');
	} else {
		if (json) {
			bool first = true;

			putchar('{');
			json_key(&first, "raw");
		} else {
			fputs("raw=", stdout);
		}
		info_value(type, info, CHUNNEL_INFO_BINARY, 0);
		if (json)
			putchar('}');
	}
	if (!json)
		putchar('\n');
}
