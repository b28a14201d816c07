package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Only public addresses are fetched, unless allowed by range.
func TestAddressPolicyCheck(t *testing.T) {
	refused := []string{"127.0.0.1:80", "127.8.9.10:80", "[::1]:80", "10.0.0.1:80", "172.16.5.4:80", "192.168.1.1:80",
		"169.254.169.254:80", "[fe80::1]:80", "0.0.0.0:80", "[::]:80", "224.0.0.1:80", "[ff02::1]:80",
		"[::ffff:127.0.0.1]:80", "[::ffff:10.0.0.1]:80", "100.64.0.1:80", "[fd00::1]:443", "255.255.255.255:80",
		"[::127.0.0.1]:80", "[64:ff9b::7f00:1]:80", "[64:ff9b::a9fe:a9fe]:80", "[2002:7f00:1::1]:80", "[2002:a00:1::1]:80",
		"[2001:0:4136:e378:8000:63bf:80ff:fffe]:80", "[::ffff:0:7f00:1]:80", "[64:ff9b:1::8.8.8.8]:80", "[fec0::1]:80"}
	public := []string{"8.8.8.8:80", "1.1.1.1:443", "[2001:4860:4860::8888]:443", "203.0.114.1:80",
		"[64:ff9b::808:808]:80", "[2002:808:808::1]:80"}
	p, err := NewAddressPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range refused {
		if err := p.Check(a); !errors.Is(err, ErrAddressNotAllowed) {
			t.Errorf("%s: %v, want refused", a, err)
		}
	}
	for _, a := range public {
		if err := p.Check(a); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
	p, err = NewAddressPolicy([]string{"10.0.0.0/8", "192.168.1.7", "intranet.example"})
	if err != nil {
		t.Fatal(err)
	}
	for a, want := range map[string]bool{"10.2.3.4:80": true, "[::ffff:10.2.3.4]:80": true, "192.168.1.7:80": true, "192.168.1.8:80": false, "127.0.0.1:80": false,
		"[64:ff9b::a02:304]:80": true, "[2002:7f00:1::1]:80": false} {
		if err := p.Check(a); (err == nil) != want {
			t.Errorf("with ranges allowed, %s: %v", a, err)
		}
	}
	for _, bad := range []string{"http://x", "10.0.0.0/33", "a b"} {
		if _, err := NewAddressPolicy([]string{bad}); err == nil || !strings.Contains(err.Error(), "fetch.allow") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// Pages on loopback are refused by address, however they are named and
// whichever redirect leads there; allowed, they are fetched.
func TestFetchRefusesLocalAddresses(t *testing.T) {
	var hits []string
	secret := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits = append(hits, r.URL.Path)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "管理员密码是 hunter2。")
	}))
	defer secret.Close()
	port := secret.URL[strings.LastIndex(secret.URL, ":")+1:]
	// A server that the policy allows by name, which redirects to the
	// secret one by address.
	door := httptest.NewServer(http.RedirectHandler(secret.URL+"/admin", http.StatusFound))
	defer door.Close()
	doorByName := strings.Replace(door.URL, "127.0.0.1", "localhost", 1)

	fetch := func(allow []string, url string) error {
		p, err := NewAddressPolicy(allow)
		if err != nil {
			t.Fatal(err)
		}
		f := Fetcher{Client: p.Client(5 * time.Second), UserAgent: "test"}
		rep, err := f.Fetch(t.Context(), t.TempDir(), []string{url}, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Failed) > 0 {
			return rep.Failed[0].Err
		}
		return nil
	}
	for name, tt := range map[string]struct {
		allow []string
		url   string
	}{
		"by address":                    {nil, secret.URL + "/admin"},
		"by a name that resolves there": {nil, "http://localhost:" + port + "/admin"},
		"through a redirect":            {[]string{"localhost"}, doorByName},
		"in IPv6 form":                  {nil, "http://[::ffff:127.0.0.1]:" + port + "/admin"},
	} {
		if err := fetch(tt.allow, tt.url); !errors.Is(err, ErrAddressNotAllowed) {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}
	if len(hits) > 0 {
		t.Fatalf("the local server was reached: %v", hits)
	}
	if err := fetch([]string{"127.0.0.0/8"}, secret.URL+"/admin"); err != nil {
		t.Errorf("allowed by range: %v", err)
	}
	if err := fetch([]string{"127.0.0.1"}, "http://127.0.0.1:1/closed"); !errors.Is(err, ErrUnreachable) {
		t.Errorf("a closed port: %v, want ErrUnreachable", err)
	}
}
