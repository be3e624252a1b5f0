/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libbertha: the userspace side of AF_BERTHA. Finding the address family
 * number the loaded bertha.ko registered; turning the paper's text syntax
 * for chunnel DAGs into the BERTHA_DAG socket option; endpoint addresses as
 * text; and the paper's connection API (§3, Listings 4 and 5)::
 *
 *   ep = bertha_new("kv-server", "shard(...) |> reliable", err, sizeof(err));
 *   lfd = bertha_listen(ep, "10.0.0.1:7000", 16);   then accept(2)
 *
 *   ep = bertha_new("kv-client", NULL, err, sizeof(err));  (server decides)
 *   fd = bertha_connect(ep, "10.0.0.1:7000");        then send(2)/recv(2)
 *
 * The file descriptors are ordinary AF_BERTHA sockets; libbertha adds no
 * state to them. Functions report errors as -1 (or NULL) with errno set.
 */
#ifndef LIBBERTHA_H
#define LIBBERTHA_H

#include <stddef.h>
#include <stdint.h>

struct sockaddr_bertha;
struct bertha_binding;
struct bertha_endpoint;

/**
 * bertha_family() - the address family number of AF_BERTHA on this system
 *
 * Reads BERTHA_AF_SYSFS_PATH, which the loaded module publishes.
 *
 * Return: the family number; BERTHA_AF_DEFAULT if the module is not loaded
 * (socket() then gives the kernel a chance to autoload it through the
 * net-pf-N alias); -1 with errno set if the file exists but is unreadable.
 */
int bertha_family(void);

/**
 * bertha_dag_parse() - turn a DAG in text syntax into a BERTHA_DAG blob
 * @text: the DAG, NUL-terminated, for example
 *	``"select(identity, identity |> identity) |> identity(mode=fast, scope=host)"``
 * @buf: where the blob goes (struct nlattr layout of uapi/linux/bertha.h);
 *	may be NULL when @buflen is 0
 * @buflen: size of @buf; %BERTHA_DAG_MAX_BYTES always suffices
 * @err: where a message goes on error (the empty string on success); may be
 *	NULL
 * @errlen: size of @err; the message is truncated to fit
 *
 * The grammar, with whitespace allowed between tokens::
 *
 *   dag      := pipeline EOF
 *   pipeline := stage ( "|>" stage )*
 *   stage    := "select" "(" pipeline ( "," pipeline )+ ")"
 *             | name [ "(" [ arg ( "," arg )* ] ")" ]
 *   arg      := key "=" value
 *   name/key := [A-Za-z_][A-Za-z0-9_-]*
 *
 * ``a |> b`` is node a whose NEXT is b; ``select(...)`` is a node of type
 * select whose ALTERNATIVES are the heads of the branches. "select" always
 * introduces alternatives and takes no arguments. A value is the text up to
 * the ')' or the ',' that begins the next ``key=``, trimmed of surrounding
 * whitespace, so ``shard(ports=7001,7002, key=0:4)`` has ports "7001,7002";
 * it is not empty and holds no '(', ')' or "|>". Keys may repeat, except
 * ``scope``: its value (application, host, network or any) becomes the
 * node's BERTHA_NODE_A_SCOPE, written even for ``any``, instead of an
 * argument. A node's attributes are written in the order TYPE, ARGS, SCOPE,
 * ALTERNATIVES, NEXT; nodes without arguments get no ARGS.
 *
 * The first mistake in text order is reported, as "column N: ..." with the
 * 1-based byte column and what was expected there. A @buflen too small for
 * an otherwise valid DAG is reported only after the whole text has parsed,
 * with the size needed. @buf's contents are unspecified on error.
 *
 * Return: the length of the blob in @buf (> 0), or -1 with errno set:
 * EINVAL for a syntax error (or a NULL @text), E2BIG for a DAG beyond
 * %BERTHA_DAG_MAX_BYTES, %BERTHA_DAG_MAX_NODES or %BERTHA_DAG_MAX_DEPTH
 * (the root has depth 1; NEXT and ALTERNATIVES each add one) or larger
 * than @buflen, ENAMETOOLONG for a name or key longer than
 * %BERTHA_NAME_MAX - 1 or a value longer than 255 characters.
 */
int bertha_dag_parse(const char *text, void *buf, size_t buflen, char *err,
		     size_t errlen);

/**
 * bertha_set_dag() - parse a DAG and set it on an AF_BERTHA socket
 * @fd: the socket
 * @text: the DAG in text syntax (see bertha_dag_parse())
 * @err: where a message goes on error (the empty string on success); may be
 *	NULL
 * @errlen: size of @err
 *
 * Return: 0, or -1 with errno set: the parser's errno and message, or
 * setsockopt(2)'s errno (EPROTONOSUPPORT for a chunnel type the kernel does
 * not have, ...) with a message naming it.
 */
int bertha_set_dag(int fd, const char *text, char *err, size_t errlen);

/**
 * define BERTHA_ADDRSTRLEN - a buffer size that holds any formatted address
 *
 * ``"[" IPv6 "%" interface "]:" port`` and its NUL, with room to spare.
 */
#define BERTHA_ADDRSTRLEN	80

/**
 * bertha_addr_parse() - read an endpoint address written as text
 * @text: ``IPV4:PORT`` (``"10.0.0.1:7000"``), ``[IPV6]:PORT``
 *	(``"[fd00::1]:7000"``) or ``[IPV6%SCOPE]:PORT``
 *	(``"[fe80::1%veth0]:7000"``), where SCOPE is an interface name or a
 *	decimal interface index
 * @out: the address; every field is written
 *
 * The IP address is numeric (inet_pton(3); no name resolution), IPv6 only
 * in brackets, IPv4 never. PORT is 1 to 5 decimal digits with a value of 0
 * to 65535 (0 lets bind(2) pick one). Nothing may surround or follow the
 * parts: no whitespace, no sign. An interface name is looked up with
 * if_nametoindex(3) in the caller's network namespace, so it must exist
 * there. @out gets the AF_BERTHA number of bertha_family() in
 * @out->sbe_family, the IP family, port and address in network byte order,
 * the scope id (0 without one) and zeroes everywhere else.
 *
 * Return: 0, or -1 with errno EINVAL when @text is not such an address
 * (including an unknown interface and a missing or out-of-range port);
 * when bertha_family() fails, -1 with its errno.
 */
int bertha_addr_parse(const char *text, struct sockaddr_bertha *out);

/**
 * bertha_addr_format() - write an endpoint address as text
 * @a: the address; only sbe_ip_family, sbe_port, sbe_scope_id and
 *	sbe_addr are read
 * @buf: where the text goes, NUL-terminated
 * @len: size of @buf; %BERTHA_ADDRSTRLEN always suffices
 *
 * The inverse of bertha_addr_parse(): ``10.0.0.1:7000``, ``[fd00::1]:7000``,
 * ``[fe80::1%veth0]:7000``. A non-zero IPv6 scope id is written as its
 * interface name (if_indextoname(3)), or as the decimal index when no
 * interface of the caller's network namespace has it. The IPv6 address is
 * in the compressed form of inet_ntop(3), so parsing the text gives back
 * the same address.
 *
 * Return: the length of the text (without the NUL), or -1 with errno set:
 * EAFNOSUPPORT when sbe_ip_family is neither AF_INET nor AF_INET6, ENOSPC
 * when @buf is too small (it then holds as much of the text as fits, when
 * @len > 0), EINVAL for a NULL @a or @buf.
 */
int bertha_addr_format(const struct sockaddr_bertha *a, char *buf, size_t len);

/**
 * bertha_new() - an endpoint: a name and the chunnel DAG its connections use
 * @name: the application's name for it (the paper's ``bertha::new("foo",
 *	dag)``); informative, copied
 * @dag_text: the DAG in text syntax (see bertha_dag_parse()); NULL or only
 *	whitespace for none: a client without a DAG takes the one the server
 *	dictates (the paper's Listing 5)
 * @err: where a message goes on error (the empty string on success); may be
 *	NULL
 * @errlen: size of @err
 *
 * The DAG is parsed once, here; bertha_listen() and bertha_connect() set the
 * blob on every socket they open. Whether the kernel has the DAG's chunnel
 * types is only known then. One endpoint may open any number of sockets;
 * it is not safe to use from several threads at once.
 *
 * Return: the endpoint, to be released with bertha_free(); or NULL with
 * errno set: the parser's errno (EINVAL, E2BIG, ENAMETOOLONG) with its
 * "column N: ..." message in @err, EINVAL for a NULL @name, ENOMEM.
 */
struct bertha_endpoint *bertha_new(const char *name, const char *dag_text,
				   char *err, size_t errlen);

/**
 * bertha_name() - the name an endpoint was created with
 * @ep: the endpoint
 *
 * Return: the name, valid until bertha_free().
 */
const char *bertha_name(const struct bertha_endpoint *ep);

/**
 * bertha_error() - what the last failed call on an endpoint was doing
 * @ep: the endpoint
 *
 * bertha_listen() and bertha_connect() set errno; this names the step that
 * failed, for messages, e.g. ``"bind(10.0.0.1:7000): Address already in
 * use"`` or ``"setsockopt(BERTHA_DAG): Protocol not supported"``.
 *
 * Return: the message of the last failure, or "" if none; valid until the
 * next call on @ep.
 */
const char *bertha_error(const struct bertha_endpoint *ep);

/**
 * bertha_listen() - a listening socket for an endpoint
 * @ep: the endpoint
 * @addr: the local address, in bertha_addr_parse() syntax (port 0 picks a
 *	free one; getsockname(2) tells which)
 * @backlog: listen(2)'s backlog
 *
 * Opens a ``SOCK_SEQPACKET`` AF_BERTHA socket (close-on-exec), sets the
 * endpoint's DAG on it if it has one, binds it and listens. Connections
 * come from accept(2) and carry the binding negotiated for them
 * (bertha_binding_get()).
 *
 * Return: the socket, or -1 with errno set: EINVAL for a bad @addr (or a
 * NULL @ep), otherwise the errno of the failing socket(2), setsockopt(2),
 * bind(2) or listen(2) (bertha_error() says which); nothing stays open.
 */
int bertha_listen(struct bertha_endpoint *ep, const char *addr, int backlog);

/**
 * bertha_connect() - a connection from an endpoint to a listener
 * @ep: the endpoint
 * @addr: the listener's address, in bertha_addr_parse() syntax
 *
 * Opens a ``SOCK_SEQPACKET`` AF_BERTHA socket (close-on-exec), sets the
 * endpoint's DAG on it if it has one, and connects; connect(2) negotiates
 * the connection's binding with the listener (HELLO, then ACCEPT or
 * REJECT).
 *
 * Return: the connected socket, or -1 with errno set: EINVAL for a bad
 * @addr (or a NULL @ep), otherwise the errno of the failing socket(2),
 * setsockopt(2) or connect(2) (bertha_error() says which). After a REJECT,
 * connect(2)'s errno follows &enum bertha_reject_reason: ECONNREFUSED (no
 * listener), EPROTO, EPROTOTYPE (DAG mismatch), EPROTONOSUPPORT (no
 * implementation both ends can use). Nothing stays open.
 */
int bertha_connect(struct bertha_endpoint *ep, const char *addr);

/**
 * bertha_free() - release an endpoint
 * @ep: the endpoint, or NULL
 *
 * Sockets opened through it stay open; they do not refer to it.
 */
void bertha_free(struct bertha_endpoint *ep);

/**
 * bertha_binding_get() - the binding negotiation chose for a connection
 * @fd: a connected AF_BERTHA socket (from bertha_connect() or accept(2))
 * @out: where the binding goes, allocated with malloc(3); the caller frees
 *	it with free(3). Left untouched on error.
 *
 * Reads getsockopt(SOL_BERTHA, BERTHA_BINDING). When the first buffer is too
 * small (ERANGE), reads again with the size the kernel wrote to optlen.
 *
 * Return: 0, or -1 with errno set: getsockopt(2)'s errno (ENOTCONN before
 * negotiation finished, ENOPROTOOPT from a kernel without the option,
 * ...), ENOMEM, EPROTO when the kernel's answer is inconsistent (shorter
 * than its own count says).
 */
int bertha_binding_get(int fd, struct bertha_binding **out);

/**
 * bertha_binding_format() - a binding as one line of text
 * @b: the binding
 * @buf: where the text goes, NUL-terminated
 * @len: size of @buf
 *
 * The nodes in the binding's (DAG) order, joined by ``" |> "``. A chunnel is
 * written ``TYPE=IMPL@WHERE``, WHERE being ``local``, ``peer``, ``both``,
 * ``elided`` or ``none`` (&enum bertha_where, as seen from the socket that
 * reported the binding, named by bertha_enum_name(); another value is
 * written as its number). A ``select`` node is
 * written ``select[N]``, N being the index (from 0) of the alternative
 * negotiation picked, which follows it. For example::
 *
 *   select[1] |> identity=kernel@local |> test-echo=kernel@both
 *
 * A binding without nodes is written ``(no chunnels)``. Priority and scope
 * are not shown.
 *
 * Return: the length of the text (without the NUL), or -1 with errno set:
 * ENOSPC when @buf is too small (it then holds as much as fits, when
 * @len > 0), EINVAL for a NULL @b or @buf.
 */
int bertha_binding_format(const struct bertha_binding *b, char *buf,
			  size_t len);

/**
 * enum bertha_enum - the uapi enums whose values libbertha names
 * @BERTHA_ENUM_WHERE: &enum bertha_where: ``none``, ``local``, ``peer``,
 *	``both``, ``elided``
 * @BERTHA_ENUM_PATH: &enum bertha_path: ``network``, ``local``
 * @BERTHA_ENUM_SCOPE: &enum bertha_scope: ``any``, ``application``,
 *	``host``, ``network``
 * @BERTHA_ENUM_ENDPOINTS: &enum bertha_endpoints: ``one``, ``both``
 * @BERTHA_ENUM_REJECT: &enum bertha_reject_reason: ``none``,
 *	``not-listening``, ``malformed``, ``dag-mismatch``,
 *	``no-implementation``, ``version``
 *
 * One set of names for every program: berthactl prints and parses these,
 * and bertha_binding_format() writes the WHERE names.
 */
enum bertha_enum {
	BERTHA_ENUM_WHERE,
	BERTHA_ENUM_PATH,
	BERTHA_ENUM_SCOPE,
	BERTHA_ENUM_ENDPOINTS,
	BERTHA_ENUM_REJECT,
};

/**
 * bertha_enum_name() - the name of a value of a uapi enum
 * @e: which enum
 * @value: the value
 *
 * Return: the name (a constant string), or NULL with errno set to EINVAL
 * when @e or @value is not one libbertha knows (a newer kernel's value:
 * print its number).
 */
const char *bertha_enum_name(enum bertha_enum e, uint32_t value);

/**
 * bertha_enum_value() - the value of a uapi enum that a name names
 * @e: which enum
 * @name: the name, as bertha_enum_name() writes it
 *
 * Return: the value (>= 0), or -1 with errno set to EINVAL when @e is
 * unknown or no value of it has that name.
 */
int bertha_enum_value(enum bertha_enum e, const char *name);

#endif /* LIBBERTHA_H */
