// SPDX-License-Identifier: GPL-2.0
/*
 * libbertha: the paper's text syntax for chunnel DAGs, turned into the
 * netlink-attribute blob of setsockopt(SOL_BERTHA, BERTHA_DAG).
 *
 *   dag      := pipeline EOF
 *   pipeline := stage ( "|>" stage )*
 *   stage    := "select" "(" pipeline ( "," pipeline )+ ")"
 *             | name [ "(" [ arg ( "," arg )* ] ")" ]
 *   arg      := key "=" value
 *
 * A recursive-descent parser writes the attributes as it goes. Recursion is
 * bounded by BERTHA_DAG_MAX_DEPTH, which is checked before descending. The
 * first mistake in text order is reported; a buffer too small for a
 * well-formed DAG is reported only once the whole text has parsed, with the
 * size it needs.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/bertha.h>
#include <linux/netlink.h>

#include "libbertha.h"

#define NAME_CHARS	(BERTHA_NAME_MAX - 1)	/* type names and keys */
#define VALUE_CHARS	255			/* uapi: 256 bytes with NUL */

/*
 * The attribute writer. It writes only what fits in the caller's buffer but
 * keeps counting, so that len is the size the whole blob needs.
 */
struct writer {
	unsigned char *buf;
	size_t cap;
	size_t len;
};

static void w_bytes(struct writer *w, const void *data, size_t n)
{
	if (n && w->buf && w->len <= w->cap && n <= w->cap - w->len)
		memcpy(w->buf + w->len, data, n);
	w->len += n;
}

static void w_pad(struct writer *w)
{
	static const unsigned char zeros[NLA_ALIGNTO];

	w_bytes(w, zeros, NLA_ALIGN(w->len) - w->len);
}

/* The header of an attribute with @payload bytes; returns its offset. */
static size_t w_header(struct writer *w, uint16_t type, size_t payload)
{
	struct nlattr h = {
		.nla_len = (uint16_t)(NLA_HDRLEN + payload),
		.nla_type = type,
	};
	size_t at = w->len;

	w_bytes(w, &h, sizeof(h));
	return at;
}

static void w_str(struct writer *w, uint16_t type, const char *s, size_t n)
{
	w_header(w, type, n + 1);
	w_bytes(w, s, n);
	w_bytes(w, "", 1);
	w_pad(w);
}

static void w_u32(struct writer *w, uint16_t type, uint32_t v)
{
	w_header(w, type, sizeof(v));
	w_bytes(w, &v, sizeof(v));
}

static size_t w_nest_start(struct writer *w, uint16_t type)
{
	return w_header(w, type | NLA_F_NESTED, 0);
}

static void w_nest_end(struct writer *w, size_t at)
{
	uint16_t len = (uint16_t)(w->len - at);

	/* Lengths above BERTHA_DAG_MAX_BYTES never reach a finished blob. */
	if (w->buf && w->len <= w->cap && w->len - at <= UINT16_MAX)
		memcpy(w->buf + at + offsetof(struct nlattr, nla_len), &len,
		       sizeof(len));
}

struct parser {
	const char *text;
	size_t pos;
	struct writer w;
	unsigned int nodes;
	int err;		/* errno of the first mistake, 0 while none */
	char *msg;
	size_t msglen;
};

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static int is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static char cur(const struct parser *p)
{
	return p->text[p->pos];
}

static int at_arrow(const struct parser *p, size_t at)
{
	return p->text[at] == '|' && p->text[at + 1] == '>';
}

static size_t skip_ws_from(const struct parser *p, size_t at)
{
	while (is_ws(p->text[at]))
		at++;
	return at;
}

static void skip_ws(struct parser *p)
{
	p->pos = skip_ws_from(p, p->pos);
}

static size_t name_end(const struct parser *p, size_t at)
{
	while (is_name_char(p->text[at]))
		at++;
	return at;
}

/* Record the first mistake: its errno and "column N: " + the message. */
static int fail(struct parser *p, int err, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err)
		return -1;
	p->err = err;
	if (!p->msg || !p->msglen)
		return -1;
	n = snprintf(p->msg, p->msglen, "column %zu: ", at + 1);
	if (n < 0 || (size_t)n >= p->msglen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->msg + n, p->msglen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A syntax error at the current position: what was expected and found. */
static int expected(struct parser *p, const char *what)
{
	unsigned char c = (unsigned char)cur(p);
	char found[16];

	if (!c)
		snprintf(found, sizeof(found), "end of input");
	else if (at_arrow(p, p->pos))
		snprintf(found, sizeof(found), "'|>'");
	else if (c > ' ' && c < 0x7f)
		snprintf(found, sizeof(found), "'%c'", c);
	else
		snprintf(found, sizeof(found), "byte 0x%02x", c);
	return fail(p, EINVAL, p->pos, "expected %s, found %s", what, found);
}

/*
 * A name (chunnel type or argument key) at the current position: sets
 * *start and *len and moves past it. WHAT names it in messages ("chunnel
 * name"), EXPECTING says what a non-name there should have been.
 */
static int take_name(struct parser *p, const char *what, const char *expecting,
		     size_t *start, size_t *len)
{
	*start = p->pos;
	if (!is_name_start(cur(p)))
		return expected(p, expecting);
	p->pos = name_end(p, *start);
	*len = p->pos - *start;
	if (*len > NAME_CHARS)
		return fail(p, ENAMETOOLONG, *start,
			    "%s is %zu characters long, at most %d allowed",
			    what, *len, NAME_CHARS);
	return 0;
}

/* After each write: the blob may not outgrow the uapi limit. */
static int check_size(struct parser *p, size_t at)
{
	if (p->w.len <= BERTHA_DAG_MAX_BYTES)
		return 0;
	return fail(p, E2BIG, at,
		    "the DAG blob grows past %d bytes here (BERTHA_DAG_MAX_BYTES)",
		    BERTHA_DAG_MAX_BYTES);
}

/* Does a "key =" start at @at? That comma then separates two arguments. */
static int key_follows(const struct parser *p, size_t at)
{
	if (!is_name_start(p->text[at]))
		return 0;
	at = skip_ws_from(p, name_end(p, at));
	return p->text[at] == '=';
}

/*
 * A value: everything up to the ')' that closes the list or the first ','
 * that starts another "key=", whitespace trimmed at both ends. Leaves the
 * position at that ')' or ','.
 */
static int scan_value(struct parser *p, size_t *start, size_t *len)
{
	size_t end;

	skip_ws(p);
	*start = p->pos;
	*len = 0;
	for (;;) {
		char c = cur(p);

		if (!c)
			return expected(p, "')' or ',' after argument");
		if (c == ')')
			break;
		if (c == '(' || at_arrow(p, p->pos))
			return fail(p, EINVAL, p->pos,
				    "expected ')' or ',' after argument, found '%s' (not allowed in a value)",
				    c == '(' ? "(" : "|>");
		if (c == ',') {
			size_t next = skip_ws_from(p, p->pos + 1);

			if (p->text[next] == ')') {
				p->pos = next;
				return expected(p, "another argument (key=value) after ','");
			}
			if (key_follows(p, next))
				break;
		}
		p->pos++;
	}
	end = p->pos;
	while (end > *start && is_ws(p->text[end - 1]))
		end--;
	*len = end - *start;
	if (!*len)
		return fail(p, EINVAL, *start, "expected a value after '='");
	if (*len > VALUE_CHARS)
		return fail(p, ENAMETOOLONG, *start,
			    "value is %zu characters long, at most %d allowed",
			    *len, VALUE_CHARS);
	return 0;
}

static int parse_scope(struct parser *p, size_t start, size_t len,
		       uint32_t *scope)
{
	uint32_t i;

	for (i = 0; i <= BERTHA_SCOPE_MAX; i++) {
		const char *name = bertha_enum_name(BERTHA_ENUM_SCOPE, i);

		if (name && strlen(name) == len &&
		    !memcmp(p->text + start, name, len)) {
			*scope = i;
			return 0;
		}
	}
	return fail(p, EINVAL, start,
		    "expected a scope (application, host, network or any), found '%.*s'",
		    (int)len, p->text + start);
}

/* "(" [ arg ( "," arg )* ] ")", at the "(": ARGS, then SCOPE. */
static int parse_args(struct parser *p)
{
	size_t args = 0, arg, key, klen, value, vlen;
	int have_args = 0, have_scope = 0;
	uint32_t scope = BERTHA_SCOPE_ANY;

	p->pos++;
	skip_ws(p);
	if (cur(p) == ')') {
		p->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(p);
		if (take_name(p, "argument key", "an argument (key=value) or ')'",
			      &key, &klen))
			return -1;
		skip_ws(p);
		if (cur(p) != '=')
			return expected(p, "'=' after the argument key");
		p->pos++;
		if (scan_value(p, &value, &vlen))
			return -1;

		if (klen == 5 && !memcmp(p->text + key, "scope", 5)) {
			if (have_scope)
				return fail(p, EINVAL, key,
					    "scope given twice; expected at most one scope= per chunnel");
			if (parse_scope(p, value, vlen, &scope))
				return -1;
			have_scope = 1;
		} else {
			if (!have_args) {
				args = w_nest_start(&p->w, BERTHA_NODE_A_ARGS);
				have_args = 1;
			}
			arg = w_nest_start(&p->w, BERTHA_ARG_A_ARG);
			w_str(&p->w, BERTHA_ARG_A_KEY, p->text + key, klen);
			w_str(&p->w, BERTHA_ARG_A_VALUE, p->text + value, vlen);
			w_nest_end(&p->w, arg);
			if (check_size(p, key))
				return -1;
		}
		/* scan_value() stopped at the ')' or at a separating ','. */
		if (cur(p) == ')')
			break;
		p->pos++;
	}
	if (have_args)
		w_nest_end(&p->w, args);
	if (have_scope) {
		w_u32(&p->w, BERTHA_NODE_A_SCOPE, scope);
		if (check_size(p, p->pos))
			return -1;
	}
	p->pos++;
	return 0;
}

static int parse_pipeline(struct parser *p, unsigned int depth);

/* "(" pipeline ( "," pipeline )+ ")", at the "(": ALTERNATIVES. */
static int parse_select(struct parser *p, unsigned int depth)
{
	unsigned int count = 0;
	size_t alts;

	if (cur(p) != '(')
		return expected(p, "'(' and the alternatives after 'select'");
	alts = w_nest_start(&p->w, BERTHA_NODE_A_ALTERNATIVES);
	if (check_size(p, p->pos))
		return -1;
	p->pos++;
	for (;;) {
		if (parse_pipeline(p, depth + 1))
			return -1;
		count++;
		skip_ws(p);
		if (cur(p) == ')')
			break;
		if (cur(p) != ',')
			return expected(p, "'|>', ',' or ')'");
		p->pos++;
	}
	if (count < 2)
		return fail(p, EINVAL, p->pos,
			    "expected ',' and another alternative: select needs at least two");
	p->pos++;
	w_nest_end(&p->w, alts);
	return 0;
}

/* A stage and, after "|>", the rest of the pipeline as its NEXT. */
static int parse_pipeline(struct parser *p, unsigned int depth)
{
	size_t name, len, node, next;

	skip_ws(p);
	if (take_name(p, "chunnel name", "a chunnel name", &name, &len))
		return -1;
	if (depth > BERTHA_DAG_MAX_DEPTH)
		return fail(p, E2BIG, name,
			    "the DAG is %u chunnels deep here, at most %d allowed (BERTHA_DAG_MAX_DEPTH)",
			    depth, BERTHA_DAG_MAX_DEPTH);
	if (++p->nodes > BERTHA_DAG_MAX_NODES)
		return fail(p, E2BIG, name,
			    "this is chunnel number %u, a DAG holds at most %d (BERTHA_DAG_MAX_NODES)",
			    p->nodes, BERTHA_DAG_MAX_NODES);

	node = w_nest_start(&p->w, BERTHA_DAG_A_NODE);
	w_str(&p->w, BERTHA_NODE_A_TYPE, p->text + name, len);
	if (check_size(p, name))
		return -1;
	skip_ws(p);
	if (len == 6 && !memcmp(p->text + name, "select", 6)) {
		if (parse_select(p, depth))
			return -1;
	} else if (cur(p) == '(') {
		if (parse_args(p))
			return -1;
	}

	skip_ws(p);
	if (at_arrow(p, p->pos)) {
		next = w_nest_start(&p->w, BERTHA_NODE_A_NEXT);
		if (check_size(p, p->pos))
			return -1;
		p->pos += 2;
		if (parse_pipeline(p, depth + 1))
			return -1;
		w_nest_end(&p->w, next);
	}
	w_nest_end(&p->w, node);
	return 0;
}

int bertha_dag_parse(const char *text, void *buf, size_t buflen, char *err,
		     size_t errlen)
{
	struct parser p = {
		.text = text,
		.w = { .buf = buf, .cap = buf ? buflen : 0 },
		.msg = err,
		.msglen = errlen,
	};

	if (err && errlen)
		err[0] = '\0';
	if (!text) {
		if (err && errlen)
			snprintf(err, errlen, "no DAG text");
		errno = EINVAL;
		return -1;
	}
	if (!parse_pipeline(&p, 1)) {
		skip_ws(&p);
		if (cur(&p))
			expected(&p, "'|>' or end of input");
	}
	if (!p.err && p.w.len > p.w.cap) {
		p.err = E2BIG;
		if (err && errlen)
			snprintf(err, errlen,
				 "the DAG blob needs %zu bytes, the buffer holds %zu",
				 p.w.len, p.w.cap);
	}
	if (p.err) {
		errno = p.err;
		return -1;
	}
	return (int)p.w.len;
}

int bertha_set_dag(int fd, const char *text, char *err, size_t errlen)
{
	unsigned char blob[BERTHA_DAG_MAX_BYTES];
	int len, e;

	len = bertha_dag_parse(text, blob, sizeof(blob), err, errlen);
	if (len < 0)
		return -1;
	if (!setsockopt(fd, SOL_BERTHA, BERTHA_DAG, blob, (socklen_t)len))
		return 0;
	e = errno;
	if (err && errlen)
		snprintf(err, errlen, "setsockopt(SOL_BERTHA, BERTHA_DAG): %s",
			 e == EPROTONOSUPPORT ?
			 "the kernel has no chunnel of one of the DAG's types" :
			 strerror(e));
	errno = e;
	return -1;
}
