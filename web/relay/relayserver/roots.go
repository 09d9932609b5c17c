package relayserver

// The relay's container image is FROM scratch: no CA certificates, and so
// no way to check GoTo's TLS certificate. This package carries Mozilla's
// roots (the Go team's copy) and Go uses them only when the system has no
// roots of its own; on a system with roots, the system's are used.
import _ "golang.org/x/crypto/x509roots/fallback"
