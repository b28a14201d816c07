package rag

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
// dialled, after the name was resolved.
func (p AddressPolicy) Check(address string) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("address %q: %w", address, err)
	}
	ip := ap.Addr().Unmap()
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
