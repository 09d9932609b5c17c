package relaymetrics

import (
	"context"
	"errors"
	"testing"
	"time"

	"gotoauth/web/relay"
)

// A nil *Metrics observes nothing and does not panic: a program without
// -metrics-addr passes nil.
func TestNil(t *testing.T) {
	var m *Metrics
	var _ relay.Observer = m
	m.Request("token", 200, "", time.Millisecond)
	m.InFlight(1)
	m.StoreUp(true)
	m.Draining(true)
	m.Refreshed(context.Background(), relay.SourceGoTo)
	m.Upstream("refresh", "ok", time.Millisecond)
	m.Store("claim", time.Millisecond, errors.New("down"))
	m.LockWaited(time.Millisecond)
	m.SignedOut("ended")
	m.Refused(relay.RefusedOrigin)
}

// Values a label could take from outside (a server's error code) are
// bounded: anything unknown is "other".
func TestLabelsBounded(t *testing.T) {
	m := New()
	for _, code := range []string{"invalid_grant", "x-custom", "<script>", "rt-secret-value"} {
		m.Request("refresh", 400, code, time.Millisecond)
	}
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range families {
		if f.GetName() != "gotoauth_relay_requests_total" {
			continue
		}
		found = true
		seen := map[string]bool{}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "error" {
					seen[l.GetValue()] = true
				}
			}
		}
		if !seen["invalid_grant"] || !seen["other"] || seen["x-custom"] || seen["rt-secret-value"] {
			t.Errorf("error labels: %v", seen)
		}
	}
	if !found {
		t.Fatal("no gotoauth_relay_requests_total in the registry")
	}
}
