module gotoauth

go 1.26.0

require (
	github.com/hack-pad/safejs v0.1.0
	github.com/redis/go-redis/v9 v9.23.0
	honnef.co/go/js/dom/v2 v2.0.0-20231112215516-51f43a291193
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)
