// Package deploy holds the relay's deployment files, which its test
// checks: a Containerfile (FROM scratch, non-root, the static binary of
// `make relay`) and a systemd unit (gotoauth-relay.service: LoadCredential=
// for the secrets, and the usual hardening). It has no Go code.
package deploy
