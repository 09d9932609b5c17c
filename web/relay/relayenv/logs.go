package relayenv

import (
	"log/slog"

	"gotoauth/web/relay/store/redisstore"
)

// LogRedisTo sends the Redis client's own lines to l at warn
// (redisstore.LogTo).
func LogRedisTo(l *slog.Logger) { redisstore.LogTo(l) }
