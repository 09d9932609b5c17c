package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"
)

// LogTo sends the Redis client's own lines (a failed dial, a sentinel's
// new master) to l at warn, in the program's log format, instead of to the
// standard logger as free text. It sets go-redis' logger, which is the
// whole process's.
func LogTo(l *slog.Logger) { redis.SetLogger(logger{l}) }

type logger struct{ l *slog.Logger }

func (r logger) Printf(ctx context.Context, format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	if !strings.HasPrefix(msg, "redis: ") {
		msg = "redis: " + msg
	}
	r.l.WarnContext(ctx, msg)
}
