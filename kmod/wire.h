/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bertha wire format, version 2: the header that leads every UDP
 * datagram bertha sends, the attributes of the handshake and the cookie
 * that CLOSE and chunnel control messages carry. Everything on the wire is
 * in network byte order (wire.c converts the handshake's attributes);
 * Documentation/bertha.rst describes it field by field.
 */
#ifndef _BERTHA_WIRE_H
#define _BERTHA_WIRE_H

#include <linux/types.h>
#include <net/sock.h>

/*
 * The version this end speaks. A HELLO of another version is refused with
 * a reason its sender can read (conn.c); any other datagram of another
 * version is counted and dropped. Version 1 had the same header but its
 * attributes in the sender's byte order, and no cookie in CLOSE and
 * chunnel control messages.
 */
#define BERTHA_WIRE_VERSION	2
#define BERTHA_WIRE_VERSION_1	1

/**
 * enum bertha_wire_type - what a datagram carries
 * @BERTHA_WIRE_HELLO: a client's connection request with its DAG
 * @BERTHA_WIRE_ACCEPT: the listener's answer with the binding
 * @BERTHA_WIRE_REJECT: the listener's refusal with a reason code
 * @BERTHA_WIRE_DATA: a message of an established connection
 * @BERTHA_WIRE_CLOSE: the sender closed the connection, or shut down its
 *	sending side (%BERTHA_CLOSE_F_WRITE) or its receiving side
 *	(%BERTHA_CLOSE_F_READ); a close with messages left unread says
 *	%BERTHA_CLOSE_F_RESET. The payload is the connection's cookie. The
 *	receiver echoes it with %BERTHA_CLOSE_F_ACK (close.c);
 *	%BERTHA_CLOSE_F_ABORT aborts a handshake.
 * @BERTHA_WIRE_CHUNNEL: a chunnel's own control message to its peer
 *	node: the flags carry the node's index in the binding (high byte)
 *	and the chunnel's sub-type (low byte); the connection's cookie, then
 *	the chunnel's payload.
 * @BERTHA_WIRE_RETRY: the listener's answer to a HELLO under a flood of
 *	them (retry.c): send the HELLO again with this token (attributes
 *	%BERTHA_WIRE_A_COOKIE and %BERTHA_WIRE_A_TOKEN)
 * @BERTHA_WIRE_KEEPALIVE: a keepalive probe, or with
 *	%BERTHA_KEEPALIVE_F_REPLY its answer (keepalive.c); the payload is
 *	the connection's cookie
 * @BERTHA_WIRE_TYPE_MAX: highest valid type
 */
enum bertha_wire_type {
	BERTHA_WIRE_HELLO = 1,
	BERTHA_WIRE_ACCEPT,
	BERTHA_WIRE_REJECT,
	BERTHA_WIRE_DATA,
	BERTHA_WIRE_CLOSE,
	BERTHA_WIRE_CHUNNEL,
	BERTHA_WIRE_RETRY,
	BERTHA_WIRE_KEEPALIVE,
	BERTHA_WIRE_TYPE_MAX = BERTHA_WIRE_KEEPALIVE,
};

/* CLOSE flags: only the sending side is shut down (the peer reads end of
 * stream); only the receiving side is (the peer's sends fail with EPIPE);
 * closed with messages unread (the peer's next call fails ECONNRESET).
 * No flag: closed. A peer that knows no F_READ takes it as a close, which
 * loses nothing the application would have read.
 */
#define BERTHA_CLOSE_F_WRITE	0x0001
#define BERTHA_CLOSE_F_READ	0x0002
#define BERTHA_CLOSE_F_RESET	0x0004
/* The echo of a CLOSE with these flags, id and cookie: it arrived
 * (close.c). Without it the CLOSE is sent again.
 */
#define BERTHA_CLOSE_F_ACK	0x0008
/* The client gave up a handshake: the header names its own connection
 * id (as a HELLO's attributes do), so the listener finds the connection
 * it may have made from it and drops it, or resets it once accepted.
 */
#define BERTHA_CLOSE_F_ABORT	0x0010

/* KEEPALIVE flags: the answer to a probe. */
#define BERTHA_KEEPALIVE_F_REPLY	0x0001

/* What a CLOSE with @flags shuts down at its receiver. */
static inline u8 bertha_close_mask(u16 flags)
{
	u8 mask = 0;

	if (!(flags & (BERTHA_CLOSE_F_WRITE | BERTHA_CLOSE_F_READ)))
		return SHUTDOWN_MASK;
	if (flags & BERTHA_CLOSE_F_WRITE)
		mask |= RCV_SHUTDOWN;
	if (flags & BERTHA_CLOSE_F_READ)
		mask |= SEND_SHUTDOWN;
	return mask;
}

/* DATA flags: bits 0-7 belong to the chunnels of the binding (&struct
 * bertha_xmit); ``reliable`` uses 0x0001 (a sequence number leads the
 * message) and 0x0002 (end of stream), which the XDP shard program knows.
 */
#define BERTHA_DATA_F_CHUNNELS	0x00ff

/* CLOSE, KEEPALIVE and CHUNNEL start with the connection's cookie (big-endian), which
 * an off-path sender that guessed a connection id does not know.
 */
#define BERTHA_WIRE_COOKIE_LEN	sizeof(__be64)

/**
 * struct bertha_wire_hdr - leads every bertha datagram
 * @version: %BERTHA_WIRE_VERSION
 * @type: &enum bertha_wire_type
 * @flags: per-type flags, network byte order
 * @conn_id: the receiver's connection id, network byte order
 */
struct bertha_wire_hdr {
	u8	version;
	u8	type;
	__be16	flags;
	__be32	conn_id;
};

/**
 * enum bertha_wire_attrs - the payload of HELLO, ACCEPT and REJECT: netlink
 *	attributes after the header
 * @BERTHA_WIRE_A_UNSPEC: unused
 * @BERTHA_WIRE_A_CONN_ID: u32, the sender's connection id (HELLO, ACCEPT)
 * @BERTHA_WIRE_A_SOCK_TYPE: u32, SOCK_SEQPACKET or SOCK_DGRAM (HELLO)
 * @BERTHA_WIRE_A_HOST_ID: u64, the sender's random host identity
 * @BERTHA_WIRE_A_COOKIE: u64, the initiator's handshake cookie (all three)
 * @BERTHA_WIRE_A_DAG: binary, a DAG blob (uapi &enum bertha_dag_attrs):
 *	the client's (HELLO, absent when empty) or the one in effect (ACCEPT)
 * @BERTHA_WIRE_A_IMPL: nested &enum bertha_wire_chunnel_attrs, repeated:
 *	the implementations the client has (HELLO)
 * @BERTHA_WIRE_A_BOUND: nested &enum bertha_wire_chunnel_attrs, repeated:
 *	the binding in DAG order, where seen from the listener (ACCEPT)
 * @BERTHA_WIRE_A_REASON: u32 &enum bertha_reject_reason (REJECT)
 * @BERTHA_WIRE_A_LOCAL: flag: the listener joined the local fast path the
 *	HELLO's cookie offered (ACCEPT)
 * @BERTHA_WIRE_A_VERSION: u32, the wire version the sender speaks
 *	(REJECT with %BERTHA_REJECT_VERSION)
 * @BERTHA_WIRE_A_TOKEN: u64, the listener's proof that the client receives
 *	at its address (RETRY; the HELLO sent again after it)
 * @__BERTHA_WIRE_A_MAX: internal
 */
enum bertha_wire_attrs {
	BERTHA_WIRE_A_UNSPEC,
	BERTHA_WIRE_A_CONN_ID,
	BERTHA_WIRE_A_SOCK_TYPE,
	BERTHA_WIRE_A_HOST_ID,
	BERTHA_WIRE_A_COOKIE,
	BERTHA_WIRE_A_DAG,
	BERTHA_WIRE_A_IMPL,
	BERTHA_WIRE_A_BOUND,
	BERTHA_WIRE_A_REASON,
	BERTHA_WIRE_A_LOCAL,
	BERTHA_WIRE_A_VERSION,
	BERTHA_WIRE_A_TOKEN,
	__BERTHA_WIRE_A_MAX,
};

#define BERTHA_WIRE_A_MAX (__BERTHA_WIRE_A_MAX - 1)

/**
 * enum bertha_wire_chunnel_attrs - one implementation (HELLO) or one bound
 *	chunnel (ACCEPT)
 * @BERTHA_WIRE_C_UNSPEC: unused
 * @BERTHA_WIRE_C_TYPE: string, chunnel type
 * @BERTHA_WIRE_C_NAME: string, implementation name
 * @BERTHA_WIRE_C_PRIORITY: u32
 * @BERTHA_WIRE_C_SCOPE: u32 &enum bertha_scope
 * @BERTHA_WIRE_C_ENDPOINTS: u32 &enum bertha_endpoints (HELLO)
 * @BERTHA_WIRE_C_WHERE: u32 &enum bertha_where, from the listener (ACCEPT)
 * @BERTHA_WIRE_C_CHOICE: u32, a select node's alternative (ACCEPT)
 * @BERTHA_WIRE_C_OWN: nested, the implementation's own attributes (its
 *	hello_put in a HELLO, its accept_put in an ACCEPT); absent when it
 *	has none. Peers that predate it refuse it (the wire's strict parse):
 *	an implementation that uses it needs peers that know it.
 * @__BERTHA_WIRE_C_MAX: internal
 */
enum bertha_wire_chunnel_attrs {
	BERTHA_WIRE_C_UNSPEC,
	BERTHA_WIRE_C_TYPE,
	BERTHA_WIRE_C_NAME,
	BERTHA_WIRE_C_PRIORITY,
	BERTHA_WIRE_C_SCOPE,
	BERTHA_WIRE_C_ENDPOINTS,
	BERTHA_WIRE_C_WHERE,
	BERTHA_WIRE_C_CHOICE,
	BERTHA_WIRE_C_OWN,
	__BERTHA_WIRE_C_MAX,
};

#define BERTHA_WIRE_C_MAX (__BERTHA_WIRE_C_MAX - 1)

void bertha_wire_to_net(void *data, int len);
void bertha_wire_to_host(void *data, int len);

#endif /* _BERTHA_WIRE_H */
