package redisstore

import (
	"errors"
	"net/url"

	"github.com/redis/go-redis/v9"
)

// NewFromFailoverURL returns a Store on the master that Redis Sentinel
// names: rawURL is go-redis' failover form (redis.ParseFailoverURL), the
// first sentinel's address in the URL and any others as addr parameters,
// the master's name as master_name, the master's password (if any) as
// password, and the sentinels' in the user information:
//
//	redis://[sentinel-user:sentinel-password@]sentinel1:26379?master_name=mymaster&addr=sentinel2:26379&password=…
//
// rediss://… speaks TLS to the sentinels and the master. The client asks
// the sentinels where the master is and follows a failover on its own.
// Like NewFromURL, it connects on first use, with the same bounds on every
// round trip, and its errors never echo the URL.
func NewFromFailoverURL(rawURL string, opts Options) (*Store, error) {
	o, err := redis.ParseFailoverURL(rawURL)
	if err != nil {
		return nil, errors.New("redisstore: the Sentinel URL does not parse (want redis://[user:password@]sentinel:port?master_name=name[&addr=sentinel2:port][&password=…])")
	}
	if o.MasterName == "" {
		return nil, errors.New("redisstore: the Sentinel URL names no master (master_name=…)")
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout = timeout, timeout, timeout, timeout
	o.ContextTimeoutEnabled = true
	o.MaxRetries = 1
	o.DisableIdentity = true
	opts.Client = redis.NewFailoverClient(o)
	return New(opts)
}

// IsFailoverURL reports whether rawURL is a Sentinel URL for
// NewFromFailoverURL: it names a master with master_name.
func IsFailoverURL(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Query().Has("master_name")
}
