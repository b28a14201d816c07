package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// ErrAddressNotAllowed is the error of a page whose address is loopback,
// private, link-local, multicast or unspecified, and not allowed by the
// fetch.allow setting: qabot would otherwise fetch, index and quote what
// only the machine it runs on can reach.
var ErrAddressNotAllowed = errors.New("its address is on a local or private network; an operator can allow it with the fetch.allow setting")

// ErrUnreachable is the error of a page whose site could not be reached.
// The cause (refused, timed out, no such host) can tell what listens where,
// so it belongs in the operator's log, not in a chat.
var ErrUnreachable = errors.New("the site could not be reached")

// notPublic are the ranges beside those the netip predicates name
// (loopback, private, link-local, multicast, unspecified) that no public
// site is on: this network, shared address space (carrier NAT), IETF
// protocol assignments, benchmarking, reserved.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64, whose IPv4 addresses may sit anywhere in it
	netip.MustParsePrefix("fec0::/10"),      // site-local, deprecated
	netip.MustParsePrefix("100::/64"),       // discard-only
}

// embedding are the IPv6 ranges that carry an IPv4 address, and where:
// the byte its four bytes start at, and whether they are inverted.
var embedding = []struct {
	prefix netip.Prefix
	at     int
	invert bool
}{
	{netip.MustParsePrefix("::/96"), 12, false},           // IPv4-compatible: ::127.0.0.1
	{netip.MustParsePrefix("::ffff:0:0/96"), 12, false},   // IPv4-mapped: ::ffff:127.0.0.1
	{netip.MustParsePrefix("::ffff:0:0:0/96"), 12, false}, // IPv4-translated (SIIT)
	{netip.MustParsePrefix("64:ff9b::/96"), 12, false},    // NAT64: 64:ff9b::7f00:1
	{netip.MustParsePrefix("2002::/16"), 2, false},        // 6to4: 2002:7f00:1::1
	{netip.MustParsePrefix("2001::/32"), 12, true},        // Teredo: the client's address, inverted
}

// embedded is the IPv4 address that the IPv6 address ip carries, when it
// is of a form that carries one; ip otherwise.
func embedded(ip netip.Addr) netip.Addr {
	if !ip.Is6() {
		return ip
	}
	b := ip.As16()
	for _, e := range embedding {
		if e.prefix.Contains(ip) && !(e.at == 12 && b[12]|b[13]|b[14]|b[15] == 0) {
			v4 := [4]byte(b[e.at : e.at+4])
			if e.invert {
				for i := range v4 {
					v4[i] ^= 0xff
				}
			}
			return netip.AddrFrom4(v4)
		}
	}
	return ip
}

// AddressPolicy says where web pages may be fetched from: public addresses,
// and the hosts and ranges an operator allows.
type AddressPolicy struct {
	hosts  map[string]bool
	ranges []netip.Prefix
}

// NewAddressPolicy reads allow: host names (intranet.example), addresses
// (10.1.2.3) and ranges (10.0.0.0/8) that may be fetched although they are
// not public.
func NewAddressPolicy(allow []string) (AddressPolicy, error) {
	p := AddressPolicy{hosts: map[string]bool{}}
	for _, a := range allow {
		a = strings.TrimSpace(a)
		if prefix, err := netip.ParsePrefix(a); err == nil {
			p.ranges = append(p.ranges, prefix.Masked())
		} else if addr, err := netip.ParseAddr(a); err == nil {
			p.ranges = append(p.ranges, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
		} else if a != "" && !strings.ContainsAny(a, "/:@ ") {
			p.hosts[strings.ToLower(strings.TrimSuffix(a, "."))] = true
		} else {
			return p, fmt.Errorf("fetch.allow: %q is not a host name, an address or a range such as 10.0.0.0/8", a)
		}
	}
	return p, nil
}

// Check reports whether a page may be fetched from address (ip:port), as
// dialled, after the name was resolved. An IPv6 address that carries an
// IPv4 one (mapped, compatible, NAT64, 6to4, Teredo) is judged by it.
func (p AddressPolicy) Check(address string) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("address %q: %w", address, err)
	}
	for _, r := range p.ranges {
		if r.Contains(ap.Addr().Unmap()) {
			return nil
		}
	}
	if v6 := ap.Addr().Unmap(); v6.Is6() && notPublicV6(v6) {
		return ErrAddressNotAllowed
	}
	ip := embedded(ap.Addr().Unmap())
	for _, r := range p.ranges {
		if r.Contains(ip) {
			return nil
		}
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return ErrAddressNotAllowed
	}
	for _, r := range notPublic {
		if r.Contains(ip) {
			return ErrAddressNotAllowed
		}
	}
	return nil
}

// notPublicV6 reports whether the IPv6 address ip is in a range of
// notPublic.
func notPublicV6(ip netip.Addr) bool {
	for _, r := range notPublic {
		if r.Addr().Is6() && r.Contains(ip) {
			return true
		}
	}
	return false
}

// Client is an HTTP client for pages under the policy. Every connection it
// makes, for each redirect too, is checked on the address it dials, so that
// a name that resolves, or later resolves again, to a local address is
// refused; no proxy is used, as it would dial for us unchecked.
func (p AddressPolicy) Client(timeout time.Duration) *http.Client {
	checked := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		return p.Check(address)
	}}
	allowed := &net.Dialer{Timeout: 10 * time.Second}
	transport := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, _, err := net.SplitHostPort(addr); err == nil && p.hosts[strings.ToLower(host)] {
				return allowed.DialContext(ctx, network, addr)
			}
			return checked.DialContext(ctx, network, addr)
		},
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: 1 << 20,
		ForceAttemptHTTP2:      true,
	}
	return &http.Client{Timeout: timeout, Transport: transport, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		switch {
		case len(via) >= 10:
			return errors.New("more than 10 redirects")
		case req.URL.Scheme != "http" && req.URL.Scheme != "https":
			return fmt.Errorf("a redirect to a %s URL", req.URL.Scheme)
		}
		return nil
	}}
}
