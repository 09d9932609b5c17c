//go:build !js

package pkce

import "crypto/rand"

// randomBytes fills b from the operating system's CSPRNG.
func randomBytes(b []byte) error {
	_, err := rand.Read(b)
	return err
}
