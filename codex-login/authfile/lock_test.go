package authfile

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestLockExcludesAndHonoursContext(t *testing.T) {
	home := t.TempDir()
	unlock, err := Lock(context.Background(), home)
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to the open file description, so a second Lock in
	// the same process contends just like another process would.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, home); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock = %v, want deadline exceeded", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock2, err := Lock(context.Background(), home)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	if err := unlock2(); err != nil {
		t.Fatal(err)
	}
}
