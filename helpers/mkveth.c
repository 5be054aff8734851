/*
 * mkveth - connect a network namespace to a bridge with a veth pair.
 *
 *   mkveth [-v] [-n] [-b BRIDGE] [-g GATEWAY[/PREFIX]] [-i IFNAME] [-m MTU]
 *          HOSTIF NETNS ADDRESS[/PREFIX] [COMMAND [ARG]...]
 *   mkveth [-v] -N [-b BRIDGE] [-g GATEWAY[/PREFIX]] [-i IFNAME] [-m MTU]
 *          HOSTIF ADDRESS[/PREFIX] [COMMAND [ARG]...]
 *   mkveth [-v] -d HOSTIF
 *   mkveth [-v] -r NETNS
 *
 * A new network namespace has nothing but a loopback interface, and that is
 * down. To reach it from the outside we need a virtual cable: a veth pair
 * (veth(4)) is two Ethernet interfaces joined back to back, so that a frame
 * sent into one comes out of the other. One end (HOSTIF) stays in the host's
 * namespace; the other is created directly inside the container's namespace
 * under its final name (eth0).
 *
 * Many containers share one subnet, so the host ends are plugged into a
 * bridge, a software Ethernet switch (mkc0 by default). The bridge itself
 * holds the gateway address (10.0.0.1/24): that gives the host a route to the
 * subnet, and gives each container a default route. Frames between two
 * containers are switched by the bridge; frames to the gateway are delivered
 * to the host.
 *
 * All of this is done by talking to the kernel directly over rtnetlink
 * (rtnetlink(7)): the same messages `ip link add`, `ip addr add` and `ip route
 * add` send, without executing ip(8). Every request carries NLM_F_ACK, so the
 * kernel answers each one with an error code that we check; when rtnl_talk()
 * returns, the change has been made.
 *
 * The veth pair is made in a single RTM_NEWLINK request that names the bridge
 * (IFLA_MASTER) and the peer's namespace (IFLA_NET_NS_FD): either both ends
 * exist, the host end plugged in and the peer inside the namespace, or
 * nothing does. A socket stays in the namespace it was created in, so we
 * configure the inside through a second socket opened after a brief setns().
 *
 * Before anything is made, the host's routes and addresses are read: a subnet
 * that the host already reaches another way (its own LAN) is refused, since
 * the gateway would add a second route to it (check_subnet()).
 *
 * If a later step fails, the pair is deleted before exiting (deleting one end
 * of a veth deletes both), so a failure leaves nothing but the shared bridge.
 *
 * With -n, NETNS is first made a new network namespace, the way `ip netns
 * add` does it: a namespace lives as long as a process or a mount holds it,
 * so unshare(CLONE_NEWNET), bind-mount /proc/self/ns/net onto the file NETNS,
 * and setns() back. -r undoes that (umount2 + unlink), like `ip netns
 * delete`; the veth goes with the namespace, its peer being inside.
 *
 * With -N, the new namespace has no file: mkveth unshare()s it and stays in
 * it, so COMMAND runs in it, and it lives exactly as long as the processes
 * in it (the container's): nothing to remove afterwards, and nothing to
 * leak when they are killed. The host's socket is opened before the
 * unshare, as a socket stays in the namespace it was made in.
 * mkcontainer.sh uses -N.
 */
#include "common.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define DEFAULT_PREFIX 24

struct ipv4 {
	struct in_addr addr; /* network byte order, as the kernel wants it */
	unsigned prefix;
};

/* What the exit handler needs to undo a half-made pair. */
static int host_sock = -1;
static const char *veth_to_undo;
static const char *netns_to_undo;

static noreturn void usage(void)
{
	printf("Usage: %1$s [-v] [-n] [-b BRIDGE] [-g GATEWAY[/PREFIX]] [-i IFNAME] [-m MTU]\n"
	       "              HOSTIF NETNS ADDRESS[/PREFIX] [COMMAND [ARG]...]\n"
	       "       %1$s [-v] -N [-b BRIDGE] [-g GATEWAY[/PREFIX]] [-i IFNAME] [-m MTU]\n"
	       "              HOSTIF ADDRESS[/PREFIX] [COMMAND [ARG]...]\n"
	       "       %1$s [-v] -d HOSTIF\n"
	       "       %1$s [-v] -r NETNS\n"
	       "\n"
	       "Connect the network namespace NETNS to a bridge with a veth pair:\n"
	       "HOSTIF on the bridge, IFNAME inside NETNS with ADDRESS and a default\n"
	       "route via GATEWAY. Then run COMMAND, if given.\n"
	       "\n"
	       "  -b BRIDGE   bridge for HOSTIF, created with GATEWAY when missing (mkc0)\n"
	       "  -g GATEWAY  the bridge's address, the default route of NETNS\n"
	       "              (default: first host address of ADDRESS's subnet)\n"
	       "  -i IFNAME   name of the interface inside NETNS (eth0)\n"
	       "  -m MTU      MTU of the pair (65535, as big as a veth allows: the\n"
	       "              traffic stays on this host; the bridge follows its ports)\n"
	       "  -n          first make NETNS a new network namespace (as ip netns add)\n"
	       "  -N          a new network namespace with no file (no NETNS): mkveth\n"
	       "              enters it and COMMAND runs in it; it ends, and the veth\n"
	       "              with it, when the last process in it does\n"
	       "  -d HOSTIF   delete the veth pair HOSTIF (both ends) and exit\n"
	       "  -r NETNS    remove the network namespace NETNS made with -n, and\n"
	       "              with it its veth (as ip netns delete), and exit\n"
	       "  -v          trace each netlink request on stderr\n"
	       "  -h          print this help and exit\n"
	       "\n"
	       "NETNS is a namespace file: /run/netns/NAME or /proc/PID/ns/net.\n"
	       "ADDRESS is a dotted-quad IPv4 address; PREFIX is 1-30, default 24.\n"
	       "GATEWAY's subnet must not overlap a route of the host on another link.\n"
	       "Names are 1-15 bytes without '/', ':' or blanks.\n"
	       "Exit status: 125 if mkveth fails, else COMMAND's (126, 127: cannot run).\n",
	       program_invocation_short_name);
	exit(0);
}

/* The kernel's rules (dev_valid_name), and no control characters. */
static bool valid_ifname(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || (unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static uint32_t netmask(unsigned prefix)
{
	return prefix ? ~UINT32_C(0) << (32 - prefix) : 0;
}

/* "10.0.0.2/24" or "10.0.0.2" (/24). inet_pton rejects 10.0.0.300, 10.1, 010.0.0.1. */
static int parse_ipv4(const char *s, unsigned default_prefix, struct ipv4 *ip)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t prefix = default_prefix;

	if (len >= sizeof(addr))
		return -1;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, &ip->addr) != 1)
		return -1;
	if (slash && (parse_u64(slash + 1, &prefix) < 0 || prefix < 1 || prefix > 30))
		return -1;
	ip->prefix = (unsigned)prefix;
	return 0;
}

/* inet_ntoa(3), with the caller's buffer. */
static const char *ipstr(struct in_addr a, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/*
 * Building requests. A request is a netlink header, a fixed family header
 * (ifinfomsg, ifaddrmsg, rtmsg), then attributes: type-length-value records
 * padded to 4 bytes, which may nest (a nest is an attribute whose value is
 * more attributes, its length fixed up once they are in).
 */
struct request {
	struct nlmsghdr hdr;
	char room[1024];
};

static void *put(struct request *r, const void *data, size_t len)
{
	char *at = (char *)r + NLMSG_ALIGN(r->hdr.nlmsg_len);

	if (NLMSG_ALIGN(r->hdr.nlmsg_len) + NLMSG_ALIGN(len) > sizeof(*r))
		errx(EXIT_SETUP, "netlink request too large");
	memset(at, 0, NLMSG_ALIGN(len));
	if (data)
		memcpy(at, data, len);
	r->hdr.nlmsg_len = (uint32_t)(NLMSG_ALIGN(r->hdr.nlmsg_len) + len);
	return at;
}

static void *start(struct request *r, uint16_t type, uint16_t flags,
		   const void *family_header, size_t len)
{
	memset(&r->hdr, 0, sizeof(r->hdr));
	r->hdr.nlmsg_len = NLMSG_HDRLEN;
	r->hdr.nlmsg_type = type;
	r->hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return put(r, family_header, len);
}

static struct rtattr *add_rta(struct request *r, uint16_t type, const void *data, size_t len)
{
	struct rtattr *rta = put(r, NULL, RTA_LENGTH(len));

	rta->rta_type = type;
	rta->rta_len = (uint16_t)RTA_LENGTH(len);
	if (data)
		memcpy(RTA_DATA(rta), data, len);
	return rta;
}

static void add_str(struct request *r, uint16_t type, const char *s)
{
	add_rta(r, type, s, strlen(s) + 1);
}

static void add_u32(struct request *r, uint16_t type, uint32_t v)
{
	add_rta(r, type, &v, sizeof(v));
}

static void end_nest(struct request *r, struct rtattr *nest)
{
	nest->rta_len = (uint16_t)((char *)r + r->hdr.nlmsg_len - (char *)nest);
}

static int rtnl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		err(EXIT_SETUP, "cannot open rtnetlink socket");
	return fd;
}

/* Big enough for any single answer we ask for (one link's attributes). */
union answer {
	struct nlmsghdr hdr;
	char buf[16384];
};

/* Called with each answer to a request, before its ack or end of dump. */
typedef void each_answer(const struct nlmsghdr *h, void *arg);

/*
 * Send one request and read its answers until the acknowledgement, matched by
 * sequence number, or, for a dump, until NLMSG_DONE. Returns 0, or a negative
 * errno as the kernel reports it.
 */
static int rtnl_exchange(int fd, struct request *req, each_answer *each, void *arg)
{
	static uint32_t seq;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK }, from;
	union answer rx;

	req->hdr.nlmsg_seq = ++seq;
	if (sendto(fd, req, req->hdr.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		err(EXIT_SETUP, "cannot send rtnetlink request");
	for (;;) {
		socklen_t fromlen = sizeof(from);
		/* MSG_TRUNC: netlink then returns the full size of a datagram. */
		ssize_t n = recvfrom(fd, rx.buf, sizeof(rx.buf), MSG_TRUNC,
				     (struct sockaddr *)&from, &fromlen);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(EXIT_SETUP, "cannot receive rtnetlink answer");
		if ((size_t)n > sizeof(rx.buf))
			errx(EXIT_SETUP, "rtnetlink answer too large");
		if (from.nl_pid != 0)
			continue; /* not from the kernel */
		for (char *p = rx.buf, *end = rx.buf + n; end - p >= NLMSG_HDRLEN;) {
			struct nlmsghdr *h = (struct nlmsghdr *)p;

			if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > (size_t)(end - p))
				errx(EXIT_SETUP, "malformed rtnetlink answer");
			p += NLMSG_ALIGN(h->nlmsg_len);
			if (h->nlmsg_seq != seq)
				continue; /* a late answer to an earlier request */
			if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE) {
				/* An ack starts with the error; the end of a dump is one. */
				struct nlmsgerr *e = NLMSG_DATA(h);
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(e->error)))
					errx(EXIT_SETUP, "short rtnetlink ack");
				return e->error;
			}
			if (each)
				each(h, arg);
		}
	}
}

static void copy_answer(const struct nlmsghdr *h, void *reply)
{
	memcpy(reply, h, h->nlmsg_len);
}

/* One request, one ack; the answer to a GET, if reply, is copied there. */
static int rtnl_talk(int fd, struct request *req, union answer *reply)
{
	return rtnl_exchange(fd, req, reply ? copy_answer : NULL, reply);
}

/*
 * Ask for every object of a kind (NLM_F_DUMP): the kernel answers with any
 * number of messages, then NLMSG_DONE instead of an ack.
 */
static int rtnl_dump(int fd, uint16_t type, const void *family_header, size_t len,
		     each_answer *each, void *arg)
{
	struct request req;

	start(&req, type, 0, family_header, len);
	req.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	return rtnl_exchange(fd, &req, each, arg);
}

/* Exit with "mkveth: what 'name': strerror(-error)". */
static noreturn void fail(int error, const char *what, const char *name)
{
	errno = -error;
	err(EXIT_SETUP, "%s '%s'", what, name);
}

/* Links are named with IFLA_IFNAME and ifi_index 0, so no index lookups. */
static void name_link(struct request *r, uint16_t type, uint16_t flags,
		      unsigned up, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = up, .ifi_change = up };

	start(r, type, flags, &ifi, sizeof(ifi));
	add_str(r, IFLA_IFNAME, name);
}

/* RTM_GETLINK: the link's index, kind ("" for a physical device) and, if
 * FLAGS is not NULL, its flags (IFF_UP...). */
static int get_link(int fd, const char *name, char kind[IFNAMSIZ], unsigned *flags,
		    const char *where)
{
	struct request req;
	union answer reply;
	struct ifinfomsg *ifi = NLMSG_DATA(&reply.hdr);
	int error, len;

	trace("RTM_GETLINK %s%s", name, where);
	name_link(&req, RTM_GETLINK, 0, 0, name);
	memset(&reply.hdr, 0, sizeof(reply.hdr));
	error = rtnl_talk(fd, &req, &reply);
	if (error)
		return error;
	if (reply.hdr.nlmsg_type != RTM_NEWLINK || reply.hdr.nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		errx(EXIT_SETUP, "no link information for '%s'", name);
	kind[0] = '\0';
	if (flags)
		*flags = ifi->ifi_flags;
	len = (int)IFLA_PAYLOAD(&reply.hdr);
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != IFLA_LINKINFO)
			continue;
		int nlen = (int)RTA_PAYLOAD(a);
		for (struct rtattr *k = RTA_DATA(a); RTA_OK(k, nlen); k = RTA_NEXT(k, nlen))
			if (k->rta_type == IFLA_INFO_KIND)
				snprintf(kind, IFNAMSIZ, "%.*s", (int)RTA_PAYLOAD(k),
					 (char *)RTA_DATA(k));
	}
	return ifi->ifi_index;
}

static void link_up(int fd, const char *name, const char *where)
{
	struct request req;
	int error;

	trace("RTM_NEWLINK %s up%s", name, where);
	name_link(&req, RTM_NEWLINK, 0, IFF_UP, name);
	if ((error = rtnl_talk(fd, &req, NULL)))
		fail(error, "cannot bring up", name);
}

/* RTM_NEWADDR: ADDRESS/PREFIX with its broadcast address, as `ip addr add ... brd +`. */
static int add_address(int fd, int index, const char *dev, struct ipv4 ip, const char *where)
{
	struct ifaddrmsg ifa = {
		.ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)ip.prefix,
		.ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = (unsigned)index,
	};
	struct in_addr brd = { ip.addr.s_addr | htonl(~netmask(ip.prefix)) };
	struct request req;
	char buf[INET_ADDRSTRLEN];

	trace("RTM_NEWADDR %s/%u dev %s%s", ipstr(ip.addr, buf), ip.prefix, dev, where);
	start(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	/* For IPv4, LOCAL is the address; ADDRESS is the same but for point-to-point. */
	add_rta(&req, IFA_LOCAL, &ip.addr, sizeof(ip.addr));
	add_rta(&req, IFA_ADDRESS, &ip.addr, sizeof(ip.addr));
	add_rta(&req, IFA_BROADCAST, &brd, sizeof(brd));
	return rtnl_talk(fd, &req, NULL);
}

/* RTM_GETLINK by index: a link's name, for a message. */
static void link_name(int fd, int index, char name[IFNAMSIZ])
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
	struct request req;
	union answer reply;
	int len;

	snprintf(name, IFNAMSIZ, "#%d", index);
	start(&req, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	memset(&reply.hdr, 0, sizeof(reply.hdr));
	if (rtnl_talk(fd, &req, &reply) || reply.hdr.nlmsg_type != RTM_NEWLINK)
		return;
	len = (int)IFLA_PAYLOAD(&reply.hdr);
	for (struct rtattr *a = IFLA_RTA(NLMSG_DATA(&reply.hdr)); RTA_OK(a, len);
	     a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_IFNAME)
			snprintf(name, IFNAMSIZ, "%.*s", (int)RTA_PAYLOAD(a), (char *)RTA_DATA(a));
}

/* Two prefixes intersect exactly when they agree on the shorter one's bits. */
static bool overlap(struct ipv4 a, struct ipv4 b)
{
	unsigned shorter = a.prefix < b.prefix ? a.prefix : b.prefix;

	return ((ntohl(a.addr.s_addr) ^ ntohl(b.addr.s_addr)) & netmask(shorter)) == 0;
}

/* What the dumps look for, and the first clash they find. */
struct clash {
	int bridge;            /* the bridge's index; 0 while it does not exist */
	struct ipv4 subnet, ip, gw;
	struct ipv4 found;     /* the clashing route, or address */
	int oif;               /* its interface; 0 for a route with none */
	bool any;
	bool gw_there;         /* the gateway is on the bridge already */
};

static void each_route(const struct nlmsghdr *h, void *arg)
{
	struct clash *c = arg;
	const struct rtmsg *rtm = NLMSG_DATA(h);
	int len = (int)RTM_PAYLOAD(h), oif = 0;
	uint32_t table = rtm->rtm_table;
	struct ipv4 dst = { .prefix = rtm->rtm_dst_len };
	char buf[INET_ADDRSTRLEN];

	if (c->any || h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return;
	for (struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_DST)
			memcpy(&dst.addr, RTA_DATA(a), sizeof(dst.addr));
		else if (a->rta_type == RTA_OIF)
			memcpy(&oif, RTA_DATA(a), sizeof(oif));
		else if (a->rta_type == RTA_TABLE) /* rtm_table stops at 255 */
			memcpy(&table, RTA_DATA(a), sizeof(table));
	}
	/* A default route overlaps every subnet, and is no reason to refuse one. */
	if (rtm->rtm_family != AF_INET || table != RT_TABLE_MAIN || dst.prefix == 0 ||
	    !overlap(dst, c->subnet))
		return;
	if (oif && oif == c->bridge) {
		trace("route %s/%u is on the bridge: fine", ipstr(dst.addr, buf), dst.prefix);
		return;
	}
	c->found = dst;
	c->oif = oif;
	c->any = true;
}

static void each_address(const struct nlmsghdr *h, void *arg)
{
	struct clash *c = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)IFA_PAYLOAD(h);
	struct in_addr local = { 0 };

	if (c->any || h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return;
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFA_LOCAL)
			memcpy(&local, RTA_DATA(a), sizeof(local));
	if (ifa->ifa_family == AF_INET && c->bridge && (int)ifa->ifa_index == c->bridge &&
	    local.s_addr == c->gw.addr.s_addr && ifa->ifa_prefixlen == c->gw.prefix)
		c->gw_there = true;
	/* The gateway may be on the bridge already (shared); ADDRESS nowhere. */
	if (ifa->ifa_family != AF_INET || !local.s_addr ||
	    !(local.s_addr == c->ip.addr.s_addr ||
	      (local.s_addr == c->gw.addr.s_addr && (int)ifa->ifa_index != c->bridge)))
		return;
	c->found.addr = local;
	c->oif = (int)ifa->ifa_index;
	c->any = true;
}

/* Is link INDEX the one called WANT? */
static bool is_named(int fd, int index, const char *want)
{
	char name[IFNAMSIZ];

	if (!index)
		return false;
	link_name(fd, index, name);
	return strcmp(name, want) == 0;
}

/*
 * The gateway's address on the bridge gives the host a route to the whole
 * subnet. If the host already reaches part of it another way (its own LAN, a
 * VPN), that second route takes traffic meant for real machines, and the
 * gateway may even be the address of the user's router: the host's network
 * breaks. So, before anything is made, refuse a subnet that overlaps a route
 * of the main table on another interface, and a gateway or ADDRESS that is
 * already one of the host's addresses. Routes on the bridge itself are those
 * of other containers on the same subnet: fine.
 */
static bool check_subnet(int fd, const char *brname, int bridge, struct ipv4 ip,
			 struct ipv4 gw)
{
	struct clash c = { .bridge = bridge, .subnet = gw, .ip = ip, .gw = gw };
	struct rtmsg rtm = { .rtm_family = AF_INET };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	char net[INET_ADDRSTRLEN], buf[INET_ADDRSTRLEN], name[IFNAMSIZ];
	int error;

	c.subnet.addr.s_addr = gw.addr.s_addr & htonl(netmask(gw.prefix));
	ipstr(c.subnet.addr, net);
	trace("RTM_GETROUTE dump: does a route of the main table overlap %s/%u?",
	      net, gw.prefix);
	if ((error = rtnl_dump(fd, RTM_GETROUTE, &rtm, sizeof(rtm), each_route, &c))) {
		errno = -error;
		err(EXIT_SETUP, "cannot list the host's routes");
	}
	/* BRIDGE missing when we looked, made since by another mkveth (for
	 * another container of the subnet): its route is fine, look again. */
	if (c.any && !bridge && is_named(fd, c.oif, brname))
		return check_subnet(fd, brname, c.oif, ip, gw);
	if (c.any) {
		link_name(fd, c.oif, name);
		errx(EXIT_SETUP, "subnet %s/%u overlaps the host's route %s/%u%s%s: "
		     "choose another subnet", net, gw.prefix, ipstr(c.found.addr, buf),
		     c.found.prefix, c.oif ? " dev " : "", c.oif ? name : "");
	}
	trace("RTM_GETADDR dump: is %s or %s already the host's?",
	      ipstr(gw.addr, net), ipstr(ip.addr, buf));
	if ((error = rtnl_dump(fd, RTM_GETADDR, &ifa, sizeof(ifa), each_address, &c))) {
		errno = -error;
		err(EXIT_SETUP, "cannot list the host's addresses");
	}
	if (c.any && !bridge && c.found.addr.s_addr == gw.addr.s_addr &&
	    is_named(fd, c.oif, brname))
		return check_subnet(fd, brname, c.oif, ip, gw);
	if (c.any) {
		link_name(fd, c.oif, name);
		errx(EXIT_SETUP, "%s %s is already in use by the host, on %s",
		     c.found.addr.s_addr == ip.addr.s_addr ? "address" : "gateway",
		     ipstr(c.found.addr, buf), name);
	}
	return c.gw_there;
}

/*
 * Make the bridge when it was missing (INDEX 0) and bring it up, with the
 * gateway's address: what the first container of the subnet does; the next
 * ones find all three done (KIND, FLAGS, GW_THERE: what was seen when the
 * bridge was looked up and the addresses listed) and send nothing. EEXIST
 * means another mkveth made it at the same moment, which is just as good.
 * Returns its index.
 *
 * A bridge left to itself takes the lowest MAC address of its ports, so it
 * would change as containers come and go, and containers that cached the
 * gateway's old MAC would lose the host until their ARP entry expired. A MAC
 * set at creation is kept (as Docker does for docker0).
 */
static int setup_bridge(int fd, const char *bridge, struct ipv4 gw, int index,
			char kind[IFNAMSIZ], unsigned flags, bool gw_there)
{
	unsigned char mac[6];
	struct request req;
	struct rtattr *info;
	int error;

	if (!index) {
		if (getrandom(mac, sizeof(mac), 0) != sizeof(mac))
			err(EXIT_SETUP, "cannot get random bytes for a MAC address");
		mac[0] = (mac[0] & 0xfe) | 0x02; /* unicast, locally administered */
		trace("RTM_NEWLINK bridge %s address %02x:%02x:%02x:%02x:%02x:%02x",
		      bridge, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		name_link(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, bridge);
		add_rta(&req, IFLA_ADDRESS, mac, sizeof(mac));
		info = add_rta(&req, IFLA_LINKINFO, NULL, 0);
		add_str(&req, IFLA_INFO_KIND, "bridge");
		end_nest(&req, info);
		error = rtnl_talk(fd, &req, NULL);
		if (error && error != -EEXIST)
			fail(error, "cannot create bridge", bridge);
		index = get_link(fd, bridge, kind, &flags, "");
		gw_there = false;
	}
	if (index < 0)
		fail(index, "cannot find bridge", bridge);
	if (strcmp(kind, "bridge"))
		errx(EXIT_SETUP, "'%s' exists and is not a bridge", bridge);
	if (!(flags & IFF_UP))
		link_up(fd, bridge, "");
	/* The gateway is shared by every container on the subnet: EEXIST is fine. */
	if (!gw_there && (error = add_address(fd, index, bridge, gw, "")) && error != -EEXIST)
		fail(error, "cannot add the gateway address to", bridge);
	return index;
}

/*
 * One request makes both ends: HOSTIF up and plugged into the bridge, its peer
 * born inside the namespace under its final name, so there is no window in
 * which a half-made pair or a misnamed peer is visible.
 */
static int create_veth(int fd, const char *hostif, int bridge_index, const char *bridge,
		       const char *ifname, int netns, uint32_t mtu)
{
	struct ifinfomsg peer = { .ifi_family = AF_UNSPEC };
	struct request req;
	struct rtattr *info, *data, *nest;

	trace("RTM_NEWLINK veth %s master %s mtu %u up, peer %s in netns fd %d",
	      hostif, bridge, mtu, ifname, netns);
	name_link(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, IFF_UP, hostif);
	add_u32(&req, IFLA_MASTER, (uint32_t)bridge_index);
	add_u32(&req, IFLA_MTU, mtu);
	info = add_rta(&req, IFLA_LINKINFO, NULL, 0);
	add_str(&req, IFLA_INFO_KIND, "veth");
	data = add_rta(&req, IFLA_INFO_DATA, NULL, 0);
	/* The peer is described like a link of its own: ifinfomsg + attributes. */
	nest = add_rta(&req, VETH_INFO_PEER, &peer, sizeof(peer));
	add_str(&req, IFLA_IFNAME, ifname);
	add_u32(&req, IFLA_MTU, mtu);
	add_u32(&req, IFLA_NET_NS_FD, (uint32_t)netns);
	end_nest(&req, nest);
	end_nest(&req, data);
	end_nest(&req, info);
	return rtnl_talk(fd, &req, NULL);
}

static int delete_link(int fd, const char *name)
{
	struct request req;

	trace("RTM_DELLINK %s", name);
	name_link(&req, RTM_DELLINK, 0, 0, name);
	return rtnl_talk(fd, &req, NULL);
}

/* atexit: a pair made by a run that then failed is deleted (both ends). */
static void undo_veth(void)
{
	int error;

	if (!veth_to_undo)
		return;
	error = delete_link(host_sock, veth_to_undo);
	if (error && error != -ENODEV) {
		errno = -error;
		warn("cannot delete veth '%s'", veth_to_undo);
	}
}

/*
 * -n: like `ip netns add`. The directory is made a shared mount first, so
 * that the namespace's mount, and later its unmount, reach every mount
 * namespace made afterwards: none keeps a deleted namespace alive.
 */
static void make_netns(const char *path)
{
	char dir[PATH_MAX], *slash;
	int fd, self;

	if (strlen(path) >= sizeof(dir))
		errx(EXIT_SETUP, "path too long: '%s'", path);
	strcpy(dir, path);
	if ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			err(EXIT_SETUP, "cannot create '%s'", dir);
		if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0) {
			/* EINVAL: not a mount point yet */
			trace("mount(\"%s\", \"%s\", NULL, MS_BIND|MS_REC, NULL)", dir, dir);
			if (errno != EINVAL ||
			    mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0 ||
			    mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0)
				err(EXIT_SETUP, "cannot make '%s' a shared mount", dir);
		}
		trace("mount(NULL, \"%s\", NULL, MS_SHARED|MS_REC, NULL)", dir);
	}
	trace("open(\"%s\", O_CREAT|O_EXCL)", path);
	if ((fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0)) < 0)
		err(EXIT_SETUP, "cannot create network namespace '%s'", path);
	if (close(fd) < 0)
		err(EXIT_SETUP, "cannot close '%s'", path);
	netns_to_undo = path;
	if ((self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		err(EXIT_SETUP, "cannot open '/proc/self/ns/net'");
	trace("unshare(CLONE_NEWNET) (see network_namespaces(7))");
	if (unshare(CLONE_NEWNET) < 0)
		err(EXIT_SETUP, "cannot create a network namespace");
	trace("mount(\"/proc/self/ns/net\", \"%s\", NULL, MS_BIND, NULL)", path);
	if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
		err(EXIT_SETUP, "cannot bind the network namespace to '%s'", path);
	trace("setns(fd of the host's, CLONE_NEWNET): back");
	if (setns(self, CLONE_NEWNET) < 0)
		err(EXIT_SETUP, "cannot return to the original network namespace");
	if (close(self) < 0)
		err(EXIT_SETUP, "cannot close '/proc/self/ns/net'");
}

/* -r, and the undo of -n. Both steps tolerate what is already gone. */
static int remove_netns(const char *path)
{
	trace("umount2(\"%s\", MNT_DETACH) + unlink(\"%s\")", path, path);
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
		warn("cannot unmount '%s'", path);
		return EXIT_SETUP;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		warn("cannot remove '%s'", path);
		return EXIT_SETUP;
	}
	return 0;
}

/* -r refuses anything but a network namespace, or the empty file -n left. */
static void check_removable(const char *path)
{
	struct statfs sfs;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		err(EXIT_SETUP, "cannot open '%s'", path);
	if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
		err(EXIT_SETUP, "cannot stat '%s'", path);
	if (sfs.f_type == NSFS_MAGIC ? ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET
				     : !S_ISREG(st.st_mode) || st.st_size != 0)
		errx(EXIT_SETUP, "'%s' is not a network namespace", path);
	if (close(fd) < 0)
		err(EXIT_SETUP, "cannot close '%s'", path);
}

static void undo_netns(void)
{
	if (netns_to_undo)
		remove_netns(netns_to_undo);
}

/*
 * A netns file is an nsfs inode; NS_GET_NSTYPE says which kind. Checking now
 * turns a wrong file into a clear error before anything is created.
 */
static int open_netns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		err(EXIT_SETUP, "cannot open network namespace '%s'", path);
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		errx(EXIT_SETUP, "'%s' is not a network namespace", path);
	return fd;
}

/* Step into the namespace just long enough to create a socket there. */
static int rtnl_open_in(int netns, const char *path)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), fd;

	if (self < 0)
		err(EXIT_SETUP, "cannot open '/proc/self/ns/net'");
	trace("setns(%s, CLONE_NEWNET) to open a socket there, then back", path);
	if (setns(netns, CLONE_NEWNET) < 0)
		err(EXIT_SETUP, "cannot enter network namespace '%s'", path);
	fd = rtnl_open();
	if (setns(self, CLONE_NEWNET) < 0)
		err(EXIT_SETUP, "cannot return to the original network namespace");
	if (close(self) < 0)
		err(EXIT_SETUP, "cannot close '/proc/self/ns/net'");
	return fd;
}

/* Inside the namespace: lo up; IFNAME gets ADDRESS, goes up, default route. */
static void setup_inside(int fd, const char *ifname, struct ipv4 ip, struct ipv4 gw)
{
	struct rtmsg rtm = {
		.rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = RTN_UNICAST, /* dst_len 0: the default route */
	};
	const char *in = " (in netns)";
	char kind[IFNAMSIZ], buf[INET_ADDRSTRLEN];
	struct request req;
	int index, error;

	link_up(fd, "lo", in);
	if ((index = get_link(fd, ifname, kind, NULL, in)) < 0)
		fail(index, "cannot find new interface", ifname);
	if ((error = add_address(fd, index, ifname, ip, in)))
		fail(error, "cannot add address to", ifname);
	/* Up before the route: the kernel refuses a gateway on a down link. */
	link_up(fd, ifname, in);
	trace("RTM_NEWROUTE default via %s dev %s%s", ipstr(gw.addr, buf), ifname, in);
	start(&req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
	add_rta(&req, RTA_GATEWAY, &gw.addr, sizeof(gw.addr));
	add_u32(&req, RTA_OIF, (uint32_t)index);
	if ((error = rtnl_talk(fd, &req, NULL)))
		fail(error, "cannot add default route via", ipstr(gw.addr, buf));
}

static int delete_veth(const char *hostif)
{
	char kind[IFNAMSIZ];
	int fd = rtnl_open(), index, error;

	/* Refuse anything but a veth: a typo must not delete a bridge or a NIC. */
	if ((index = get_link(fd, hostif, kind, NULL, "")) == -ENODEV)
		errx(EXIT_SETUP, "cannot delete '%s': no such link", hostif);
	if (index < 0)
		fail(index, "cannot find", hostif);
	if (strcmp(kind, "veth"))
		errx(EXIT_SETUP, "cannot delete '%s': not a veth", hostif);
	if ((error = delete_link(fd, hostif)) == -ENODEV)
		errx(EXIT_SETUP, "cannot delete '%s': no such link", hostif);
	if (error)
		fail(error, "cannot delete veth", hostif);
	return 0;
}

/*
 * ADDRESS must be a host address of its subnet, and GATEWAY (default: the
 * first one) another host address of that subnet: the default route needs
 * the gateway on the link.
 */
static void parse_addresses(const char *arg, const char *gwarg, struct ipv4 *ip,
			    struct ipv4 *gw)
{
	uint32_t addr, mask, host;

	if (parse_ipv4(arg, DEFAULT_PREFIX, ip) < 0)
		usage_error("invalid address '%s' (want A.B.C.D/PREFIX, PREFIX 1-30)", arg);
	addr = ntohl(ip->addr.s_addr);
	mask = netmask(ip->prefix);
	if ((addr & ~mask) == 0 || (addr & ~mask) == ~mask)
		usage_error("'%s' is the network or broadcast address of its subnet", arg);
	if (!gwarg) {
		gw->addr.s_addr = htonl((addr & mask) + 1);
		gw->prefix = ip->prefix;
	} else if (parse_ipv4(gwarg, ip->prefix, gw) < 0) {
		usage_error("invalid gateway '%s'", gwarg);
	}
	host = ntohl(gw->addr.s_addr) & ~mask;
	if ((ntohl(gw->addr.s_addr) & mask) != (addr & mask) || host == 0 || host == ~mask)
		usage_error("gateway must be a host address in the subnet of '%s'", arg);
	if (gw->addr.s_addr == ip->addr.s_addr)
		usage_error("address '%s' is the gateway's", arg);
}

int main(int argc, char **argv)
{
	const char *bridge = "mkc0", *ifname = "eth0", *gwarg = NULL, *del = NULL;
	const char *rm = NULL;
	bool make_ns = false, new_ns = false;
	uint64_t mtu_arg = 65535;
	const char *hostif, *nspath, *address;
	bool setup_opts = false;
	struct ipv4 ip, gw;
	int opt, netns, ns_sock, bridge_index, error;
	char kind[IFNAMSIZ] = "";
	unsigned flags = 0;
	bool gw_there;

	opterr = 0;
	while ((opt = getopt(argc, argv, "+:b:d:g:hi:m:nNr:v")) != -1) {
		switch (opt) {
		case 'm':
			if (parse_u64(optarg, &mtu_arg) < 0 || mtu_arg < 68 || mtu_arg > 65535)
				usage_error("invalid MTU '%s' (68 to 65535)", optarg);
			setup_opts = true;
			break;
		case 'n': make_ns = true; setup_opts = true; break;
		case 'N': new_ns = true; setup_opts = true; break;
		case 'r': rm = optarg; break;
		case 'b': bridge = optarg; setup_opts = true; break;
		case 'd': del = optarg; break;
		case 'g': gwarg = optarg; setup_opts = true; break;
		case 'h': usage();
		case 'i': ifname = optarg; setup_opts = true; break;
		case 'v': verbose = 1; break;
		default: bad_option(opt, argc, argv);
		}
	}
	trace_man("rtnetlink(7)");
	trace_man("veth(4)");
	if (del) {
		if (optind < argc || setup_opts)
			usage_error("-d takes HOSTIF and no other argument");
		if (!valid_ifname(del))
			usage_error("invalid interface name '%s'", del);
		return delete_veth(del);
	}
	if (rm) {
		if (optind < argc || setup_opts || del)
			usage_error("-r takes NETNS and no other argument");
		check_removable(rm);
		return remove_netns(rm);
	}
	if (make_ns && new_ns)
		usage_error("-n and -N do not go together");
	if (argc - optind < 3 - new_ns)
		usage_error(new_ns ? "missing HOSTIF or ADDRESS" : "missing HOSTIF, NETNS or ADDRESS");
	hostif = argv[optind++];
	/* -N: no NETNS operand; "(new)" in messages. */
	nspath = new_ns ? "(new)" : argv[optind++];
	address = argv[optind++];
	if (!valid_ifname(hostif))
		usage_error("invalid interface name '%s'", hostif);
	if (!valid_ifname(bridge))
		usage_error("invalid bridge name '%s'", bridge);
	if (!valid_ifname(ifname))
		usage_error("invalid interface name '%s'", ifname);
	/* Every network namespace has lo (and -n and -N do not look). */
	if (!strcmp(ifname, "lo"))
		usage_error("invalid interface name 'lo': the namespace's own loopback");
	parse_addresses(address, gwarg, &ip, &gw);

	/* Everything that can be checked is checked before anything is made. */
	if (make_ns) {
		if (atexit(undo_netns) != 0)
			errx(EXIT_SETUP, "cannot register exit handler");
		make_netns(nspath);
	}
	host_sock = rtnl_open();
	if (new_ns) {
		trace("unshare(CLONE_NEWNET) (see network_namespaces(7)): ours, and COMMAND's");
		if (unshare(CLONE_NEWNET) < 0)
			err(EXIT_SETUP, "cannot create a network namespace");
		netns = open_netns("/proc/self/ns/net");
		ns_sock = rtnl_open();
	} else {
		netns = open_netns(nspath);
		ns_sock = rtnl_open_in(netns, nspath);
	}
	/* A namespace we just made has lo alone: no need to look. */
	if (!make_ns && !new_ns &&
	    (error = get_link(ns_sock, ifname, kind, NULL, " (in netns)")) >= 0)
		errx(EXIT_SETUP, "'%s' already exists in network namespace '%s'", ifname, nspath);
	if (!make_ns && !new_ns && error != -ENODEV)
		fail(error, "cannot look up", ifname);

	/* A missing bridge is made later: until then no route is on it. */
	if ((bridge_index = get_link(host_sock, bridge, kind, &flags, "")) == -ENODEV)
		bridge_index = 0;
	else if (bridge_index < 0)
		fail(bridge_index, "cannot look up", bridge);
	gw_there = check_subnet(host_sock, bridge, bridge_index, ip, gw);

	if (atexit(undo_veth) != 0)
		errx(EXIT_SETUP, "cannot register exit handler");
	bridge_index = setup_bridge(host_sock, bridge, gw, bridge_index, kind, flags,
				    gw_there);
	if ((error = create_veth(host_sock, hostif, bridge_index, bridge, ifname, netns,
				 (uint32_t)mtu_arg)))
		fail(error, "cannot create veth", hostif);
	veth_to_undo = hostif;
	setup_inside(ns_sock, ifname, ip, gw);
	/* done: the namespace and the pair now belong to the caller */
	veth_to_undo = NULL;
	netns_to_undo = NULL;

	/* The sockets and netns fd are O_CLOEXEC: COMMAND does not inherit them. */
	if (optind < argc)
		exec_next(argv + optind);
	return 0;
}
