package limits

import (
	"testing"
	"time"
)

func TestSize(t *testing.T) {
	for n, want := range map[int]string{
		MaxURLLength:   "64 KiB",
		MaxParamLength: "8 KiB",
		MaxBodyBytes:   "1 MiB",
		MaxBuffer:      "4 MiB",
	} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
	if got := Minutes(MaxTimeout); got != "10 minutes" {
		t.Errorf("Minutes(MaxTimeout) = %q", got)
	}
	if got := TooLong("state", MaxParamLength); got != "state is longer than 8 KiB" {
		t.Errorf("TooLong = %q", got)
	}
	if got := Millis(MinTimeout); got != "100" {
		t.Errorf("Millis(MinTimeout) = %q", got)
	}
}

func TestBounds(t *testing.T) {
	for _, n := range []int{MaxURLLength, MaxParamLength, MaxTokenLength, MaxBodyBytes, MaxRelayBody, MinBuffer, MaxBuffer} {
		if n%(1<<10) != 0 {
			t.Errorf("size limit %d is not a whole number of KiB, which Size writes", n)
		}
	}
	if MinBuffer > MaxBuffer || MaxURLLength > MaxBuffer || MaxBodyBytes > MaxBuffer {
		t.Error("a payload the loader may send does not fit the shared buffer")
	}
	if MinTimeout > DefaultTimeout || DefaultTimeout > MaxTimeout {
		t.Error("DefaultTimeout is outside its own bounds")
	}
	if RelayCompletedMemory > RelayRotationMemory {
		t.Error("the relay remembers a completed refresh longer than a rotation")
	}
}

func TestText(t *testing.T) {
	for _, c := range []struct {
		l    Limit
		want string
	}{
		{Limit{Value: MaxURLLength, Unit: Bytes}, "64 KiB"},
		{Limit{Value: MaxScopes, Unit: Count}, "256"},
		{Limit{Value: int64(30 * 24 * time.Hour), Unit: Duration}, "30 days"},
		{Limit{Value: int64(24 * time.Hour), Unit: Duration}, "1 day"},
		{Limit{Value: int64(36 * time.Hour), Unit: Duration}, "2160 minutes"},
		{Limit{Value: int64(PendingLifetime), Unit: Duration}, "10 minutes"},
		{Limit{Value: int64(ExpiryMargin), Unit: Duration}, "1 minute"},
		{Limit{Value: int64(PopupAnswerWait), Unit: Duration}, "2 s"},
		{Limit{Value: int64(AskTabsWait), Unit: Duration}, "150 ms"},
	} {
		if got := c.l.Text(); got != c.want {
			t.Errorf("Text() = %q, want %q", got, c.want)
		}
	}
	if got := (Limit{Value: int64(AskTabsWait), Unit: Duration}).JS(); got != 150 {
		t.Errorf("JS() = %d, want 150 (ms)", got)
	}
}
