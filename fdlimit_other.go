//go:build !unix

package main

// checkOpenFiles has nothing to check where there is no RLIMIT_NOFILE.
func checkOpenFiles() error { return nil }
