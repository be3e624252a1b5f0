/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libbertha: the userspace side of AF_BERTHA. So far: finding the address
 * family number the loaded bertha.ko registered, and turning the paper's
 * text syntax for chunnel DAGs into the BERTHA_DAG socket option.
 */
#ifndef LIBBERTHA_H
#define LIBBERTHA_H

#include <stddef.h>

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

#endif /* LIBBERTHA_H */
