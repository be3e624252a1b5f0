// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: messages, JSON output, enum names and words, shared by the
 * commands
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* ---- messages ---------------------------------------------------------- */

void errmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("berthactl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("berthactl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'berthactl help'.\n", stderr);
	return EXIT_USAGE;
}

/* ---- JSON output ------------------------------------------------------- */

void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':  fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		default:
			if (c < 0x20 || c == 0x7f)
				printf("\\u%04x", c);
			else
				putchar(c);
		}
	}
	putchar('"');
}

/*
 * -p: everything printed goes through a filter that indents the JSON, as
 * it comes (monitor prints for as long as it runs): a newline after each
 * opening bracket and comma, before each closing bracket, two spaces a
 * level; "{}" and "[]" stay whole. A JSON value begins a line; other text
 * passes as it is.
 */
struct json_pretty {
	FILE *out;
	int depth;
	bool in_str, esc, opened, bol;
};

static void json_pretty_nl(struct json_pretty *p)
{
	fputc('\n', p->out);
	for (int i = 0; i < p->depth; i++)
		fputs("  ", p->out);
}

static ssize_t json_pretty_write(void *cookie, const char *buf, size_t len)
{
	struct json_pretty *p = cookie;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (p->in_str) {
			fputc(c, p->out);
			if (p->esc)
				p->esc = false;
			else if (c == '\\')
				p->esc = true;
			else if (c == '"')
				p->in_str = false;
			continue;
		}
		/* between JSON values, which begin lines: text as it is */
		if (!p->depth && !(p->bol && (c == '{' || c == '['))) {
			fputc(c, p->out);
			p->bol = c == '\n';
			continue;
		}
		p->bol = false;
		if (c == '}' || c == ']') {
			p->depth--;
			if (!p->opened)
				json_pretty_nl(p);
			fputc(c, p->out);
			p->opened = false;
			continue;
		}
		if (c == ' ' || c == '\n')
			continue;
		if (p->opened) {
			json_pretty_nl(p);
			p->opened = false;
		}
		fputc(c, p->out);
		if (c == '{' || c == '[') {
			p->depth++;
			p->opened = true;
		} else if (c == ',') {
			json_pretty_nl(p);
		} else if (c == ':') {
			fputc(' ', p->out);
		} else if (c == '"') {
			p->in_str = true;
		}
	}
	fflush(p->out);
	return (ssize_t)len;
}

int json_pretty_stdout(void)
{
	static struct json_pretty p = { .bol = true };
	cookie_io_functions_t io = { .write = json_pretty_write };
	int fd = dup(STDOUT_FILENO);
	FILE *f;

	p.out = fd < 0 ? NULL : fdopen(fd, "w");
	f = p.out ? fopencookie(&p, "w", io) : NULL;
	if (!f) {
		fprintf(stderr, "berthactl: -p: %s\n", strerror(errno));
		return -1;
	}
	stdout = f;
	return 0;
}

/* "key": for the members after the first of an object. */
void json_key(bool *first, const char *key)
{
	if (!*first)
		putchar(',');
	*first = false;
	json_str(key);
	putchar(':');
}

void json_kv_str(bool *first, const char *key, const char *val)
{
	json_key(first, key);
	json_str(val);
}

void json_kv_u64(bool *first, const char *key, uint64_t val)
{
	json_key(first, key);
	printf("%" PRIu64, val);
}

/* ---- enum names -------------------------------------------------------- */

const char *const origin_names[] = {
	[BERTHA_ORIGIN_KERNEL] = "kernel",
	[BERTHA_ORIGIN_USERSPACE] = "userspace",
};

const char *const policy_names[] = {
	[BERTHA_POLICY_PREFER_CLIENT] = "prefer-client",
	[BERTHA_POLICY_PREFER_SERVER] = "prefer-server",
	[BERTHA_POLICY_PREFER_PRIORITY] = "prefer-priority",
};

int lookup(const char *const *names, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], word))
			return (int)i;
	return -1;
}

/* The name of enum value @v, or its number (in @buf) if unknown. */
const char *enum_name(const char *const *names, size_t n, uint32_t v,
			     char *buf, size_t len)
{
	if (v < n && names[v])
		return names[v];
	snprintf(buf, len, "%" PRIu32, v);
	return buf;
}

/* An enum member of a JSON object: its name, or its number if unknown. */
void json_kv_enum(bool *first, const char *key, const char *const *names,
			 size_t n, uint32_t v)
{
	if (v < n && names[v])
		json_kv_str(first, key, names[v]);
	else
		json_kv_u64(first, key, v);
}

/* libbertha's name of value @v of @e, or its number (in @buf) if unknown. */
const char *lib_name(enum bertha_enum e, uint32_t v, char *buf, size_t len)
{
	const char *name = bertha_enum_name(e, v);

	if (name)
		return name;
	snprintf(buf, len, "%" PRIu32, v);
	return buf;
}

/* A JSON member with libbertha's name of value @v of @e, or its number. */
void json_kv_lib(bool *first, const char *key, enum bertha_enum e, uint32_t v)
{
	const char *name = bertha_enum_name(e, v);

	if (name)
		json_kv_str(first, key, name);
	else
		json_kv_u64(first, key, v);
}

/* ---- words ------------------------------------------------------------- */

bool parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* HEX ("0a1b..", optional 0x) into @buf; its length, or -1. */
int parse_hex(const char *s, unsigned char *buf, size_t max)
{
	size_t n, i;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	if (n == 0 || n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		buf[i] = (unsigned char)(hi << 4 | lo);
	}
	return (int)i;
}
