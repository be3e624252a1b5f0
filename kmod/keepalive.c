// SPDX-License-Identifier: GPL-2.0
/*
 * Keepalive of SOCK_SEQPACKET connections on the network path, as TCP's:
 * with SO_KEEPALIVE on, a connection from whose peer nothing has come for
 * BERTHA_KEEPIDLE seconds sends a probe (a KEEPALIVE datagram with the
 * connection's cookie) every BERTHA_KEEPINTVL seconds; the peer answers
 * each. Anything from the peer (data, a chunnel's message, an answer)
 * ends the probing; BERTHA_KEEPCNT probes without anything from the peer
 * end the connection: the socket reports ETIMEDOUT, both directions are
 * shut down, and a CLOSE with F_RESET goes out in case the peer comes
 * back. The local fast path needs none of it: both ends are in this
 * kernel, and a peer's end is seen at once.
 *
 * One delayed work item per socket, under the socket lock; the time the
 * peer was last heard is the connection's last_rcv, which the receive
 * paths keep without a lock.
 */
#include <linux/jiffies.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "conn.h"
#include "keepalive.h"
#include "transport.h"
#include "wire.h"

/* TCP's defaults (tcp(7)). */
#define BERTHA_KEEPIDLE_DEFAULT		7200
#define BERTHA_KEEPINTVL_DEFAULT	75
#define BERTHA_KEEPCNT_DEFAULT		9
#define BERTHA_KEEPCNT_MAX		127

static void bertha_keepalive_arm(struct bertha_sock *bs, unsigned long delay)
{
	mod_delayed_work(bertha_wq, &bs->ka.work, delay);
}

/* Is there a connection whose peer keepalive should watch? */
static bool bertha_keepalive_on(const struct bertha_sock *bs)
{
	const struct sock *sk = &bs->sk;

	return sock_flag(sk, SOCK_KEEPOPEN) && sk->sk_state == TCP_ESTABLISHED &&
	       bs->conn && bs->conn->binding &&
	       bertha_conn_path(bs->conn) == BERTHA_PATH_NETWORK;
}

static void bertha_keepalive_dead(struct bertha_sock *bs)
{
	struct sock *sk = &bs->sk;

	atomic64_inc(&bs->cnt.keepalive_timeouts);
	bertha_send_close(bs, bs->conn, BERTHA_CLOSE_F_RESET);
	WRITE_ONCE(sk->sk_err, ETIMEDOUT);
	sk_error_report(sk);
	bertha_sock_shutdown(bs, SHUTDOWN_MASK);
}

static void bertha_keepalive_work(struct work_struct *work)
{
	struct bertha_sock *bs = container_of(to_delayed_work(work),
					      struct bertha_sock, ka.work);
	struct bertha_keepalive *ka = &bs->ka;
	unsigned long last, due;

	lock_sock(&bs->sk);
	if (!bertha_keepalive_on(bs) || bs->sk.sk_err)
		goto out;
	last = READ_ONCE(bs->conn->last_rcv);
	if (ka->probes && last != ka->mark)
		ka->probes = 0;		/* heard from since the last probe */
	if (!ka->probes) {
		due = last + (unsigned long)ka->idle * HZ;
		if (time_before(jiffies, due)) {
			bertha_keepalive_arm(bs, due - jiffies);
			goto out;
		}
	} else if (ka->probes >= ka->cnt) {
		bertha_keepalive_dead(bs);
		goto out;
	}
	bertha_conn_send_cookie(bs, bs->conn, BERTHA_WIRE_KEEPALIVE, 0);
	atomic64_inc(&bs->cnt.keepalive_probes);
	ka->probes++;
	ka->mark = last;
	bertha_keepalive_arm(bs, (unsigned long)ka->intvl * HZ);
out:
	release_sock(&bs->sk);
}

/**
 * bertha_keepalive_init() - a new socket's keepalive, off, TCP's defaults
 * @bs: the socket
 */
void bertha_keepalive_init(struct bertha_sock *bs)
{
	INIT_DELAYED_WORK(&bs->ka.work, bertha_keepalive_work);
	bs->ka.idle = BERTHA_KEEPIDLE_DEFAULT;
	bs->ka.intvl = BERTHA_KEEPINTVL_DEFAULT;
	bs->ka.cnt = BERTHA_KEEPCNT_DEFAULT;
}

/**
 * bertha_keepalive_inherit() - an accepted socket takes its listener's
 *	keepalive, as TCP's does
 * @child: the new socket, not yet visible
 * @listener: its listener, locked
 */
void bertha_keepalive_inherit(struct bertha_sock *child,
			      const struct bertha_sock *listener)
{
	sock_valbool_flag(&child->sk, SOCK_KEEPOPEN,
			  sock_flag(&listener->sk, SOCK_KEEPOPEN));
	child->ka.idle = listener->ka.idle;
	child->ka.intvl = listener->ka.intvl;
	child->ka.cnt = listener->ka.cnt;
}

/**
 * bertha_keepalive_start() - a connection is established: watch its peer
 *	if keepalive is on
 * @bs: the socket, locked
 */
void bertha_keepalive_start(struct bertha_sock *bs)
{
	if (!bertha_keepalive_on(bs))
		return;
	WRITE_ONCE(bs->conn->last_rcv, jiffies);
	bs->ka.probes = 0;
	bertha_keepalive_arm(bs, (unsigned long)bs->ka.idle * HZ);
}

/**
 * bertha_keepalive_stop() - no more probes: the socket is going
 * @bs: the socket, not locked (the work takes the lock)
 */
void bertha_keepalive_stop(struct bertha_sock *bs)
{
	cancel_delayed_work_sync(&bs->ka.work);
}

/**
 * bertha_keepalive_toggle() - SO_KEEPALIVE was set (&proto.keepalive)
 * @sk: the socket, locked by sock_setsockopt()
 * @on: its new value
 */
void bertha_keepalive_toggle(struct sock *sk, int on)
{
	struct bertha_sock *bs = bertha_sk(sk);

	/* sock_setsockopt() sets the flag after this hook */
	sock_valbool_flag(sk, SOCK_KEEPOPEN, on);
	if (on)
		bertha_keepalive_start(bs);
	else
		cancel_delayed_work(&bs->ka.work);
}

/**
 * bertha_keepalive_setsockopt() - BERTHA_KEEPIDLE, _KEEPINTVL, _KEEPCNT
 * @bs: the socket
 * @optname: which
 * @optval: an int
 * @optlen: its length
 *
 * Return: 0; -EINVAL out of range or short; -EOPNOTSUPP on SOCK_DGRAM;
 * -EFAULT.
 */
int bertha_keepalive_setsockopt(struct bertha_sock *bs, int optname,
				sockptr_t optval, unsigned int optlen)
{
	int val, max;

	if (bs->sk.sk_type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (optlen < sizeof(val))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	max = optname == BERTHA_KEEPCNT ? BERTHA_KEEPCNT_MAX : BERTHA_KEEP_MAX;
	if (val < 1 || val > max)
		return -EINVAL;

	lock_sock(&bs->sk);
	if (optname == BERTHA_KEEPIDLE)
		bs->ka.idle = val;
	else if (optname == BERTHA_KEEPINTVL)
		bs->ka.intvl = val;
	else
		bs->ka.cnt = val;
	/* as TCP_KEEPIDLE: a new idle time counts from the last datagram */
	if (!bs->ka.probes && bertha_keepalive_on(bs))
		bertha_keepalive_arm(bs, 0);
	release_sock(&bs->sk);
	return 0;
}

/**
 * bertha_keepalive_getsockopt() - read BERTHA_KEEPIDLE, _KEEPINTVL, _KEEPCNT
 * @bs: the socket
 * @optname: which
 * @optval: room for an int
 * @optlen: its length, set to what was copied
 * @len: the caller's length
 *
 * Return: 0, -EINVAL for a short buffer, -EOPNOTSUPP on SOCK_DGRAM, -EFAULT.
 */
int bertha_keepalive_getsockopt(struct bertha_sock *bs, int optname,
				char __user *optval, int __user *optlen,
				int len)
{
	int val;

	if (bs->sk.sk_type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (len < (int)sizeof(val))
		return -EINVAL;
	lock_sock(&bs->sk);
	val = optname == BERTHA_KEEPIDLE ? bs->ka.idle :
	      optname == BERTHA_KEEPINTVL ? bs->ka.intvl : bs->ka.cnt;
	release_sock(&bs->sk);
	if (copy_to_user(optval, &val, sizeof(val)) ||
	    put_user((int)sizeof(val), optlen))
		return -EFAULT;
	return 0;
}

/**
 * bertha_keepalive_rcv() - a KEEPALIVE from the peer of @conn
 * @bs: the socket, locked
 * @conn: the connection (its cookie checked)
 * @flags: the header's flags
 *
 * A probe is answered, whether or not this end has keepalive on; an
 * answer has done its work by arriving (last_rcv).
 */
void bertha_keepalive_rcv(struct bertha_sock *bs, struct bertha_conn *conn,
			  u16 flags)
{
	if (!(flags & BERTHA_KEEPALIVE_F_REPLY) && conn->binding)
		bertha_conn_send_cookie(bs, conn, BERTHA_WIRE_KEEPALIVE,
					BERTHA_KEEPALIVE_F_REPLY);
}
