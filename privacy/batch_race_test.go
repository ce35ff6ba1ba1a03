//go:build race

package privacy_test

// The race detector makes sync.Pool drop what it holds at random, so pooled
// buffers are reallocated: allocation counts do not hold.
func init() { raceEnabled = true }
