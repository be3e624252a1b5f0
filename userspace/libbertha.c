// SPDX-License-Identifier: GPL-2.0
/*
 * libbertha: address family discovery, endpoint addresses as text, the
 * paper's endpoint API (bertha_new, listen, connect) and negotiated
 * bindings. The DAG text parser is in dag_parse.c.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "libbertha.h"

int bertha_family(void)
{
	FILE *f = fopen(BERTHA_AF_SYSFS_PATH, "r");
	int family;

	if (!f)
		return errno == ENOENT ? BERTHA_AF_DEFAULT : -1;
	if (fscanf(f, "%d", &family) != 1) {
		family = -1;
		errno = EIO;
	}
	fclose(f);
	return family;
}

/* ---- addresses ---- */

static int einval(void)
{
	errno = EINVAL;
	return -1;
}

/* 1 to 5 decimal digits, 0..65535, and nothing after them. */
static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t n;

	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++) {
		if (n == 5)
			return -1;
		v = v * 10 + (unsigned long)(s[n] - '0');
	}
	if (!n || s[n] || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* An interface name, or a decimal index that fits in a u32. */
static int parse_scope(const char *s, uint32_t *scope)
{
	unsigned long long v = 0;
	size_t n;

	if (!*s || strlen(s) >= IF_NAMESIZE)
		return -1;
	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++) {
		v = v * 10 + (unsigned long long)(s[n] - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	if (n && !s[n]) {
		*scope = (uint32_t)v;
		return 0;
	}
	*scope = if_nametoindex(s);
	return *scope ? 0 : -1;
}

int bertha_addr_parse(const char *text, struct sockaddr_bertha *out)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	struct sockaddr_bertha a;
	const char *port, *end;
	uint32_t scope = 0;
	uint16_t p;
	char *pct;
	int family;

	if (!text || !out)
		return einval();
	memset(&a, 0, sizeof(a));

	if (text[0] == '[') {
		end = strchr(text, ']');
		if (!end || end[1] != ':')
			return einval();
		port = end + 2;
		if ((size_t)(end - text - 1) >= sizeof(host))
			return einval();
		memcpy(host, text + 1, (size_t)(end - text - 1));
		host[end - text - 1] = '\0';
		pct = strchr(host, '%');
		if (pct) {
			*pct = '\0';
			if (parse_scope(pct + 1, &scope))
				return einval();
		}
		if (inet_pton(AF_INET6, host, a.sbe_addr.v6) != 1)
			return einval();
		a.sbe_ip_family = AF_INET6;
		a.sbe_scope_id = scope;
	} else {
		end = strchr(text, ':');
		if (!end || (size_t)(end - text) >= INET_ADDRSTRLEN)
			return einval();
		port = end + 1;
		memcpy(host, text, (size_t)(end - text));
		host[end - text] = '\0';
		if (inet_pton(AF_INET, host, &a.sbe_addr.v4) != 1)
			return einval();
		a.sbe_ip_family = AF_INET;
	}
	if (parse_port(port, &p))
		return einval();
	a.sbe_port = htons(p);

	family = bertha_family();
	if (family < 0)
		return -1;
	a.sbe_family = (__kernel_sa_family_t)family;
	*out = a;
	return 0;
}

/*
 * snprintf() into @buf, reporting a text that does not fit as ENOSPC: the
 * common tail of the formatters.
 */
static int fit(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= len) {
		errno = ENOSPC;
		return -1;
	}
	return n;
}

int bertha_addr_format(const struct sockaddr_bertha *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];
	unsigned int port;

	if (!a || !buf)
		return einval();
	port = ntohs(a->sbe_port);
	switch (a->sbe_ip_family) {
	case AF_INET:
		inet_ntop(AF_INET, &a->sbe_addr.v4, ip, sizeof(ip));
		return fit(buf, len, "%s:%u", ip, port);
	case AF_INET6:
		inet_ntop(AF_INET6, a->sbe_addr.v6, ip, sizeof(ip));
		if (!a->sbe_scope_id)
			return fit(buf, len, "[%s]:%u", ip, port);
		if (if_indextoname(a->sbe_scope_id, ifname))
			return fit(buf, len, "[%s%%%s]:%u", ip, ifname, port);
		return fit(buf, len, "[%s%%%u]:%u", ip,
			   (unsigned int)a->sbe_scope_id, port);
	default:
		if (len)
			buf[0] = '\0';
		errno = EAFNOSUPPORT;
		return -1;
	}
}

/* ---- endpoints ---- */

struct bertha_endpoint {
	char *name;
	unsigned char *dag;	/* NULL: no DAG */
	size_t dag_len;
	char error[256];	/* bertha_error() */
};

struct bertha_endpoint *bertha_new(const char *name, const char *dag_text,
				   char *err, size_t errlen)
{
	unsigned char blob[BERTHA_DAG_MAX_BYTES];
	struct bertha_endpoint *ep;
	const char *t = dag_text;
	int len = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!name) {
		if (err && errlen)
			snprintf(err, errlen, "no endpoint name");
		errno = EINVAL;
		return NULL;
	}
	while (t && (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r' ||
		     *t == '\v' || *t == '\f'))
		t++;
	if (t && *t) {
		len = bertha_dag_parse(dag_text, blob, sizeof(blob), err, errlen);
		if (len < 0)
			return NULL;
	}

	ep = calloc(1, sizeof(*ep));
	if (!ep)
		goto nomem;
	ep->name = strdup(name);
	if (!ep->name)
		goto nomem;
	if (len) {
		ep->dag = malloc((size_t)len);
		if (!ep->dag)
			goto nomem;
		memcpy(ep->dag, blob, (size_t)len);
		ep->dag_len = (size_t)len;
	}
	return ep;

nomem:
	bertha_free(ep);
	if (err && errlen)
		snprintf(err, errlen, "out of memory");
	errno = ENOMEM;
	return NULL;
}

const char *bertha_name(const struct bertha_endpoint *ep)
{
	return ep ? ep->name : NULL;
}

const char *bertha_error(const struct bertha_endpoint *ep)
{
	return ep ? ep->error : "";
}

void bertha_free(struct bertha_endpoint *ep)
{
	if (!ep)
		return;
	free(ep->name);
	free(ep->dag);
	free(ep);
}

/* Record what failed (errno preserved), close @fd if open, return -1. */
static int ep_fail(struct bertha_endpoint *ep, int fd, const char *step,
		   const char *addr)
{
	int e = errno;

	if (addr)
		snprintf(ep->error, sizeof(ep->error), "%s(%s): %s", step,
			 addr, strerror(e));
	else
		snprintf(ep->error, sizeof(ep->error), "%s: %s", step,
			 strerror(e));
	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

/* A SEQPACKET socket with the endpoint's DAG, and the parsed address. */
static int ep_socket(struct bertha_endpoint *ep, const char *addr,
		     struct sockaddr_bertha *sbe)
{
	int fd;

	if (bertha_addr_parse(addr, sbe)) {
		if (errno == EINVAL)
			snprintf(ep->error, sizeof(ep->error),
				 "\"%s\" is not an address (IPV4:PORT, [IPV6]:PORT or [IPV6%%IFNAME]:PORT)",
				 addr ? addr : "(null)");
		else
			ep_fail(ep, -1, "bertha_family", NULL);
		return -1;
	}
	fd = socket(sbe->sbe_family, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ep_fail(ep, -1, "socket", NULL);
	if (ep->dag && setsockopt(fd, SOL_BERTHA, BERTHA_DAG, ep->dag,
				  (socklen_t)ep->dag_len))
		return ep_fail(ep, fd, "setsockopt(BERTHA_DAG)", NULL);
	return fd;
}

int bertha_listen(struct bertha_endpoint *ep, const char *addr, int backlog)
{
	struct sockaddr_bertha sbe;
	int fd;

	if (!ep)
		return einval();
	ep->error[0] = '\0';
	fd = ep_socket(ep, addr, &sbe);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sbe, sizeof(sbe)))
		return ep_fail(ep, fd, "bind", addr);
	if (listen(fd, backlog))
		return ep_fail(ep, fd, "listen", NULL);
	return fd;
}

int bertha_connect(struct bertha_endpoint *ep, const char *addr)
{
	struct sockaddr_bertha sbe;
	int fd;

	if (!ep)
		return einval();
	ep->error[0] = '\0';
	fd = ep_socket(ep, addr, &sbe);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sbe, sizeof(sbe)))
		return ep_fail(ep, fd, "connect", addr);
	return fd;
}

/* ---- bindings ---- */

#define BINDING_SIZE(n) \
	(sizeof(struct bertha_binding) + (n) * sizeof(struct bertha_binding_node))

int bertha_binding_get(int fd, struct bertha_binding **out)
{
	size_t size = BINDING_SIZE(8);
	struct bertha_binding *b = NULL, *nb;
	socklen_t len;
	int tries, e;

	if (!out)
		return einval();
	/* The binding is fixed once negotiated; a few tries are plenty. */
	for (tries = 0; tries < 4; tries++) {
		nb = realloc(b, size);
		if (!nb) {
			e = ENOMEM;
			goto fail;
		}
		b = nb;
		len = (socklen_t)size;
		if (!getsockopt(fd, SOL_BERTHA, BERTHA_BINDING, b, &len))
			break;
		e = errno;
		if (e != ERANGE)
			goto fail;
		/* The kernel wrote the size it needs; insist on growth. */
		size = (size_t)len > size ? (size_t)len : 2 * size;
	}
	if (tries == 4) {
		e = ERANGE;
		goto fail;
	}
	if (len < sizeof(*b) || b->count > (len - sizeof(*b)) /
					    sizeof(struct bertha_binding_node)) {
		e = EPROTO;
		goto fail;
	}
	*out = b;
	return 0;

fail:
	free(b);
	errno = e;
	return -1;
}

/* The names of bertha_enum_name(), one table per enum, by value. */
static const char *const where_names[] = {
	[BERTHA_WHERE_NONE] = "none",
	[BERTHA_WHERE_LOCAL] = "local",
	[BERTHA_WHERE_PEER] = "peer",
	[BERTHA_WHERE_BOTH] = "both",
	[BERTHA_WHERE_ELIDED] = "elided",
};

static const char *const path_names[] = {
	[BERTHA_PATH_NETWORK] = "network",
	[BERTHA_PATH_LOCAL] = "local",
};

static const char *const scope_names[] = {
	[BERTHA_SCOPE_ANY] = "any",
	[BERTHA_SCOPE_APPLICATION] = "application",
	[BERTHA_SCOPE_HOST] = "host",
	[BERTHA_SCOPE_NETWORK] = "network",
};

static const char *const endpoints_names[] = {
	[BERTHA_ENDPOINTS_ONE] = "one",
	[BERTHA_ENDPOINTS_BOTH] = "both",
};

static const char *const reject_names[] = {
	[BERTHA_REJECT_NONE] = "none",
	[BERTHA_REJECT_NOT_LISTENING] = "not-listening",
	[BERTHA_REJECT_MALFORMED] = "malformed",
	[BERTHA_REJECT_DAG_MISMATCH] = "dag-mismatch",
	[BERTHA_REJECT_NO_IMPLEMENTATION] = "no-implementation",
	[BERTHA_REJECT_VERSION] = "version",
};

#define NAMES(t) { t, sizeof(t) / sizeof(t[0]) }

static const struct {
	const char *const *names;
	size_t n;
} enum_names[] = {
	[BERTHA_ENUM_WHERE] = NAMES(where_names),
	[BERTHA_ENUM_PATH] = NAMES(path_names),
	[BERTHA_ENUM_SCOPE] = NAMES(scope_names),
	[BERTHA_ENUM_ENDPOINTS] = NAMES(endpoints_names),
	[BERTHA_ENUM_REJECT] = NAMES(reject_names),
};

const char *bertha_enum_name(enum bertha_enum e, uint32_t value)
{
	if ((size_t)e >= sizeof(enum_names) / sizeof(enum_names[0]) ||
	    value >= enum_names[e].n || !enum_names[e].names[value]) {
		errno = EINVAL;
		return NULL;
	}
	return enum_names[e].names[value];
}

int bertha_enum_value(enum bertha_enum e, const char *name)
{
	size_t i;

	if ((size_t)e < sizeof(enum_names) / sizeof(enum_names[0]) && name)
		for (i = 0; i < enum_names[e].n; i++)
			if (enum_names[e].names[i] &&
			    !strcmp(enum_names[e].names[i], name))
				return (int)i;
	return einval();
}

int bertha_binding_format(const struct bertha_binding *b, char *buf, size_t len)
{
	size_t at = 0;
	uint32_t i;
	int n;

	if (!b || !buf)
		return einval();
	if (len)
		buf[0] = '\0';
	if (!b->count)
		return fit(buf, len, "(no chunnels)");
	for (i = 0; i < b->count; i++) {
		const struct bertha_binding_node *nd = &b->node[i];
		int tlen = (int)strnlen(nd->type, sizeof(nd->type));
		int ilen = (int)strnlen(nd->impl, sizeof(nd->impl));
		const char *sep = i ? " |> " : "";
		const char *w = bertha_enum_name(BERTHA_ENUM_WHERE, nd->where);

		if (tlen == 6 && !memcmp(nd->type, "select", 6))
			n = fit(buf + at, len - at, "%sselect[%u]", sep,
				(unsigned int)nd->choice);
		else if (w)
			n = fit(buf + at, len - at, "%s%.*s=%.*s@%s", sep,
				tlen, nd->type, ilen, nd->impl, w);
		else
			n = fit(buf + at, len - at, "%s%.*s=%.*s@%u", sep,
				tlen, nd->type, ilen, nd->impl,
				(unsigned int)nd->where);
		if (n < 0)
			return -1;
		at += (size_t)n;
	}
	return (int)at;
}
